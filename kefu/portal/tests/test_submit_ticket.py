"""Submitting a ticket from the portal: through intake, exactly once, with checked attachments and fields."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.tests.factories import CategoryFactory
from kefu.tickets.models import Attachment, CustomField, Message, Ticket

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "form_token": uuid.uuid4().hex,
        "subject": "快递显示已签收但我没收到",
        "text": "单号 SF123，请帮忙查一下。",
    }
    data.update(overrides)
    return data


def test_the_form_carries_a_one_time_token_and_lists_active_categories_by_label(customer_client):
    CategoryFactory(code="order", name="订单", name_en="Orders")
    CategoryFactory(code="old", name="旧类别", name_en="Old", is_active=False)

    page = customer_client.get("/portal/tickets/new/").content.decode()

    assert 'name="form_token"' in page
    assert "订单" in page and "旧类别" not in page


def test_a_new_ticket_is_opened_through_intake_for_the_signed_in_customer(customer_client, customer):
    category = CategoryFactory(code="order", name="订单", name_en="Orders")
    photo = SimpleUploadedFile("签收照片.png", b"\x89PNG fake", content_type="image/png")

    response = customer_client.post(
        "/portal/tickets/new/", form_data(category=category.pk, attachments=[photo])
    )

    ticket = Ticket.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == f"/portal/tickets/{ticket.pk}/"
    assert ticket.channel == "web" and ticket.category == category
    assert ticket.subject == "快递显示已签收但我没收到"
    first = ticket.messages.get(kind="customer")
    assert first.body_text == "单号 SF123，请帮忙查一下。"
    assert [a.filename for a in first.attachments.all()] == ["签收照片.png"]


def test_the_same_form_posted_twice_makes_exactly_one_ticket(customer_client, customer):
    data = form_data()

    first = customer_client.post("/portal/tickets/new/", data)
    second = customer_client.post("/portal/tickets/new/", data)

    assert Ticket.objects.filter(customer=customer).count() == 1
    assert Message.objects.filter(ticket__customer=customer).count() == 1
    assert first["Location"] == second["Location"]


def test_a_tampered_form_token_is_refused_without_a_ticket(customer_client, customer):
    response = customer_client.post("/portal/tickets/new/", form_data(form_token="../../other"))

    assert response.status_code == 400
    assert not Ticket.objects.filter(customer=customer).exists()


def test_a_bad_category_id_is_a_form_error_not_a_500(customer_client, customer):
    for bad in ("999999", "abc", "99999999999999999999999"):
        response = customer_client.post("/portal/tickets/new/", form_data(category=bad))
        assert response.status_code == 400
        assert 'class="error mb-0"' in response.content.decode()
    assert not Ticket.objects.filter(customer=customer).exists()


def test_an_oversize_attachment_is_refused_with_a_message_saying_why(customer_client, customer, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("scan.pdf", b"x" * 2048, content_type="application/pdf")

    response = customer_client.post("/portal/tickets/new/", form_data(attachments=[big]))

    assert response.status_code == 400
    page = response.content.decode()
    assert "scan.pdf" in page and "1.0" in page  # the file and the limit are named
    assert not Ticket.objects.filter(customer=customer).exists()
    assert not Attachment.objects.exists()


def test_a_forbidden_file_type_is_refused_with_a_message_saying_why(customer_client, customer):
    evil = SimpleUploadedFile("invoice.exe", b"MZ", content_type="application/octet-stream")

    response = customer_client.post("/portal/tickets/new/", form_data(attachments=[evil]))

    assert response.status_code == 400
    assert ".exe" in response.content.decode()
    assert not Ticket.objects.filter(customer=customer).exists()


def test_a_request_larger_than_all_allowed_files_is_refused_before_parsing(
    customer_client, customer, settings
):
    from kefu.portal import views

    big = SimpleUploadedFile("huge.zip", b"x" * 4096)
    original = views.MAX_REQUEST_BYTES
    views.MAX_REQUEST_BYTES = 1024
    try:
        response = customer_client.post("/portal/tickets/new/", form_data(attachments=[big]))
    finally:
        views.MAX_REQUEST_BYTES = original

    assert response.status_code == 413
    assert not Ticket.objects.filter(customer=customer).exists()


def test_only_customer_visible_custom_fields_are_offered_and_stored(customer_client, customer):
    CustomField.objects.create(
        key="order_no", name="订单号", name_en="Order number", customer_visible=True, required=True
    )
    CustomField.objects.create(key="risk", name="风险评估", name_en="Risk", customer_visible=False)

    page = customer_client.get("/portal/tickets/new/").content.decode()
    missing = customer_client.post("/portal/tickets/new/", form_data())
    customer_client.post("/portal/tickets/new/", form_data(cf_order_no="SF-778", cf_risk="low"))

    assert "订单号" in page and "风险评估" not in page
    assert missing.status_code == 400
    assert Ticket.objects.get(customer=customer).custom_fields == {"order_no": "SF-778"}


def test_an_empty_description_is_refused(customer_client, customer):
    response = customer_client.post("/portal/tickets/new/", form_data(text="   "))

    assert response.status_code == 400
    assert not Ticket.objects.filter(customer=customer).exists()
