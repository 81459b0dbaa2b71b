"""Signing up: a login linked to a (new or known) customer, confirmed through a mailed link."""

import pytest
from django.core import mail
from django.test import Client

from kefu.accounts.models import User
from kefu.customers.models import Customer
from kefu.customers.services import find_customer
from kefu.intake.services import InboundMessage, ingest

from .helpers import link_path_in_mail

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "blue-river-7-lantern"


def sign_up(client: Client, captured, email="li.lei@example.com", name="李雷", password=GOOD_PASSWORD):
    with captured(execute=True):
        return client.post("/portal/signup/", {"name": name, "email": email, "password": password})


def confirm(client: Client) -> None:
    path = link_path_in_mail()
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_sign_up_creates_a_customer_and_an_inactive_non_staff_login_until_the_mailed_link_is_opened(
    django_capture_on_commit_callbacks,
):
    client = Client()

    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "li.lei@example.com" in response.content.decode()
    customer = find_customer(kind="email", value="li.lei@example.com")
    assert customer is not None and customer.name == "李雷"
    user = customer.user
    assert user is not None and not user.is_staff and not user.is_active
    assert user.check_password(GOOD_PASSWORD)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["li.lei@example.com"]
    assert not client.login(username=user.username, password=GOOD_PASSWORD)  # not confirmed yet

    confirm(client)

    user.refresh_from_db()
    assert user.is_active
    assert client.get("/portal/").status_code == 200
    assert Client().login(username="li.lei@example.com", password=GOOD_PASSWORD)  # e-mail is the user name


def test_sign_up_links_an_existing_customer_without_login_and_their_earlier_email_tickets_appear(
    django_capture_on_commit_callbacks,
):
    earlier = ingest(
        InboundMessage(
            channel="email",
            identity_kind="email",
            identity_value="Han.Meimei@example.com",
            name="韩梅梅",
            subject="发票开错了",
            text="请重开发票。",
            external_id="<m1@example.com>",
        )
    ).ticket
    customers_before = Customer.objects.count()
    client = Client()

    sign_up(client, django_capture_on_commit_callbacks, email="han.meimei@example.com", name="Meimei Han")
    confirm(client)

    assert Customer.objects.count() == customers_before
    earlier.customer.refresh_from_db()
    assert earlier.customer.user is not None and earlier.customer.name == "韩梅梅"  # the CRM name is kept
    page = client.get("/portal/").content.decode()
    assert "发票开错了" in page


def test_sign_up_with_an_address_that_already_has_a_login_answers_the_same_and_changes_nothing(
    customer_user,
    django_capture_on_commit_callbacks,
):
    password_before = customer_user.password

    response = sign_up(
        Client(), django_capture_on_commit_callbacks, email="chen@example.com", name="Impostor"
    )

    assert response.status_code == 200
    assert "chen@example.com" in response.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.password == password_before and customer_user.display_name == "陈小姐"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chen@example.com"]  # a sign-in link to the owner


def test_a_weak_password_is_refused_with_a_reason_and_nothing_is_created(django_capture_on_commit_callbacks):
    response = sign_up(Client(), django_capture_on_commit_callbacks, password="12345678")

    assert response.status_code == 400
    assert find_customer(kind="email", value="li.lei@example.com") is None
    assert not User.objects.filter(email="li.lei@example.com").exists()
    assert 'class="error mb-0"' in response.content.decode()
    assert mail.outbox == []


def test_signing_up_again_before_confirming_voids_the_first_link(django_capture_on_commit_callbacks):
    client = Client()
    sign_up(client, django_capture_on_commit_callbacks)
    first_link = link_path_in_mail()

    sign_up(client, django_capture_on_commit_callbacks, password="another-long-pass-42")

    assert client.post(first_link).status_code == 400
    confirm(client)
    assert Client().login(username="li.lei@example.com", password="another-long-pass-42")


def test_sign_up_mails_are_throttled_per_address(django_capture_on_commit_callbacks):
    for _ in range(3):
        assert sign_up(Client(), django_capture_on_commit_callbacks).status_code == 200

    response = sign_up(Client(), django_capture_on_commit_callbacks)

    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_a_name_of_only_invisible_characters_is_refused(django_capture_on_commit_callbacks):
    """Zero-width, bidi-override and control characters are no name: the form asks for one, no login is made."""
    response = sign_up(Client(), django_capture_on_commit_callbacks, name="\u200b\u202e\u2060\x07")

    assert response.status_code == 400
    assert not User.objects.filter(email="li.lei@example.com").exists()
    assert not mail.outbox


def test_invisible_characters_are_stripped_from_the_name(django_capture_on_commit_callbacks):
    """A name with a zero-width space inside is stored without it."""
    sign_up(Client(), django_capture_on_commit_callbacks, name="李\u200b雷\u202e")

    assert User.objects.get(email="li.lei@example.com").display_name == "李雷"
