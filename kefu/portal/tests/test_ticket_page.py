"""The ticket page: only one's own tickets, only public messages, own attachments; reply and close."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Message, Status
from kefu.tickets.services import TicketChanges, add_note, add_reply, change_status, update_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(ticket, agent):
    """A ticket with a public reply (with a file), an internal note (with a file) and field changes."""
    reply = add_reply(
        ticket=ticket,
        actor=agent,
        text="您好，已为您催促仓库发货。",
        attachments=[IncomingFile(name="发货单.pdf", content=b"%PDF reply")],
    )
    note = add_note(
        ticket=ticket,
        actor=agent,
        text="内部备注：客户很着急，仓库缺货",
        attachments=[IncomingFile(name="internal.txt", content=b"secret")],
    )
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(add_tags=["vip-watch"]))
    return {"reply": reply, "note": note}


def test_the_customer_sees_public_replies_but_never_notes_events_or_internal_fields(
    customer_client,
    ticket,
    conversation,
    agent,
):
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()

    assert "您好，已为您催促仓库发货。" in page
    assert "我的订单三天了还没有发货" in page
    assert "发货单.pdf" in page
    assert "内部备注" not in page and "internal.txt" not in page
    assert "vip-watch" not in page  # internal tags and their events
    assert "接线组" not in page and "Front line" not in page  # the team
    assert agent.username not in page  # only the agent's display name
    assert "王芳" in page


def test_a_solved_status_shows_as_a_friendly_line(customer_client, ticket, agent):
    change_status(ticket=ticket, actor=agent, status=Status.SOLVED)

    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()

    assert "msg-event" in page and "此工单已标记为已解决" in page


def test_another_customer_gets_404_on_the_ticket_its_actions_and_its_attachments(
    other_customer_client,
    ticket,
    conversation,
):
    attachment = conversation["reply"].attachments.get()
    token = uuid.uuid4().hex
    messages_before = ticket.messages.count()

    assert other_customer_client.get(f"/portal/tickets/{ticket.pk}/").status_code == 404
    assert (
        other_customer_client.post(
            f"/portal/tickets/{ticket.pk}/reply/", {"text": "hi", "form_token": token}
        ).status_code
        == 404
    )
    assert other_customer_client.post(f"/portal/tickets/{ticket.pk}/close/").status_code == 404
    assert other_customer_client.get(f"/portal/attachments/{attachment.pk}/").status_code == 404
    assert Message.objects.filter(ticket=ticket).count() == messages_before
    ticket.refresh_from_db()
    assert ticket.status != Status.SOLVED


def test_own_public_attachments_download_but_attachments_of_notes_do_not(customer_client, conversation):
    public = conversation["reply"].attachments.get()
    internal = conversation["note"].attachments.get()

    response = customer_client.get(f"/portal/attachments/{public.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF reply"
    assert "attachment;" in response["Content-Disposition"]
    assert customer_client.get(f"/portal/attachments/{internal.pk}/").status_code == 404


def test_bad_ticket_and_attachment_numbers_are_404_not_500(customer_client):
    for path in (
        "/portal/tickets/999999/",
        "/portal/tickets/99999999999999999999999/",
        "/portal/attachments/99999999999999999999999/",
        "/portal/tickets/abc/",
    ):
        assert customer_client.get(path).status_code == 404


def test_reply_is_added_as_a_customer_message_and_reopens_a_solved_ticket(
    customer_client, ticket, agent, customer_user
):
    change_status(ticket=ticket, actor=agent, status=Status.SOLVED)
    data = {
        "text": "还是没收到货。",
        "form_token": uuid.uuid4().hex,
        "attachments": [SimpleUploadedFile("快递截图.jpg", b"jpeg", content_type="image/jpeg")],
    }

    response = customer_client.post(f"/portal/tickets/{ticket.pk}/reply/", data)
    customer_client.post(f"/portal/tickets/{ticket.pk}/reply/", data)  # sent twice: stored once

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.reopened_count == 1
    message = ticket.messages.filter(kind="customer").latest("id")
    assert message.body_text == "还是没收到货。" and message.author == customer_user
    assert [a.filename for a in message.attachments.all()] == ["快递截图.jpg"]
    assert ticket.messages.filter(kind="customer", body_text="还是没收到货。").count() == 1


def test_an_empty_reply_is_refused_with_a_message(customer_client, ticket):
    response = customer_client.post(
        f"/portal/tickets/{ticket.pk}/reply/", {"text": "  ", "form_token": uuid.uuid4().hex}
    )

    assert response.status_code == 400
    assert "notice-error" in response.content.decode()
    assert ticket.messages.count() == 1


def test_an_oversize_reply_attachment_is_refused_with_a_message(customer_client, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    data = {
        "text": "附件",
        "form_token": uuid.uuid4().hex,
        "attachments": [SimpleUploadedFile("big.png", b"x" * 100)],
    }

    response = customer_client.post(f"/portal/tickets/{ticket.pk}/reply/", data)

    assert response.status_code == 400
    assert "big.png" in response.content.decode()
    assert ticket.messages.count() == 1


def test_the_customer_can_close_their_ticket(customer_client, ticket):
    response = customer_client.post(f"/portal/tickets/{ticket.pk}/close/")

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    event = ticket.messages.get(kind="event")
    assert event.event_data.get("by_customer") is True
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Yes, close my ticket" not in page and "是的，关闭工单" not in page


def test_close_is_post_only(customer_client, ticket):
    assert customer_client.get(f"/portal/tickets/{ticket.pk}/close/").status_code == 405
