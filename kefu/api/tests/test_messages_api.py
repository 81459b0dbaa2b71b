"""A ticket's timeline through the API: reading it, replying, adding notes, attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.tests.factories import UserFactory
from kefu.tickets import services
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Message, MessageKind, Status

pytestmark = pytest.mark.django_db


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/messages/"


def test_timeline_has_customer_messages_replies_notes_and_events(api, ticket, agent):
    services.add_note(ticket=ticket, actor=agent, text="老客户")
    services.add_reply(ticket=ticket, actor=agent, text="您好，已加急")

    rows = api.get(url(ticket)).json()["results"]

    kinds = [row["kind"] for row in rows]
    assert kinds[:2] == [MessageKind.CUSTOMER, MessageKind.NOTE]
    assert {MessageKind.REPLY, MessageKind.EVENT} <= set(kinds)
    note = rows[1]
    assert (note["text"], note["author"]["username"], note["author_kind"]) == ("老客户", "agent", "agent")
    event = next(row for row in rows if row["kind"] == MessageKind.EVENT)
    assert event["event_type"] == "status_changed"
    assert event["event_data"] == {"old": "new", "new": "pending"}


def test_attachments_are_listed_with_a_download_url_that_serves_the_file(api, ticket, agent):
    services.add_note(
        ticket=ticket,
        actor=agent,
        text="日志",
        attachments=[IncomingFile(name="server.log", content=b"boom", content_type="text/plain")],
    )

    note = api.get(url(ticket)).json()["results"][1]
    attachment = note["attachments"][0]
    download = api.get(attachment["download_url"])

    assert (attachment["filename"], attachment["size"]) == ("server.log", 4)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"boom"
    assert download["Content-Disposition"].startswith("attachment")


def test_attachment_of_an_invisible_ticket_is_404(api_for, outsider, ticket, agent):
    message = services.add_note(
        ticket=ticket, actor=agent, text="x", attachments=[IncomingFile(name="a.txt", content=b"secret")]
    )
    attachment = message.attachments.get()

    response = api_for(outsider).get(f"/api/v1/attachments/{attachment.pk}/download/")

    assert response.status_code == 404


@pytest.mark.parametrize("rows", [5, 50])
def test_timeline_runs_a_constant_number_of_queries(rows, api, ticket, agent, django_assert_max_num_queries):
    for n in range(rows):
        services.add_note(
            ticket=ticket,
            actor=agent,
            text=f"note {n}",
            attachments=[IncomingFile(name=f"{n}.txt", content=b"x")],
        )

    with django_assert_max_num_queries(7):
        response = api.get(url(ticket), {"page_size": 200})

    assert len(response.json()["results"]) == rows + 1


def test_timeline_of_an_invisible_ticket_is_404(api_for, outsider, ticket):
    assert api_for(outsider).get(url(ticket)).status_code == 404


def test_reply_is_stored_and_waits_on_the_customer(api, ticket):
    response = api.post(url(ticket), {"kind": "reply", "text": "已为您补发"}, format="json")

    assert response.status_code == 201
    assert response.json()["kind"] == "reply"
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.first_response_at is not None


def test_reply_may_set_the_status(api, ticket):
    api.post(url(ticket), {"kind": "reply", "html": "<p>已解决</p>", "status": "solved"}, format="json")

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_note_leaves_the_status_alone(api, ticket):
    response = api.post(url(ticket), {"kind": "note", "text": "待确认库存"}, format="json")

    assert response.status_code == 201
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (Status.NEW, None)


def test_html_reply_is_sanitized(api, ticket):
    data = api.post(
        url(ticket),
        {"kind": "reply", "html": "<p onclick='x()'>Hi<script>alert(1)</script></p>"},
        format="json",
    ).json()

    assert "script" not in data["html"] and "onclick" not in data["html"]
    assert data["text"] == "Hi"


def test_reply_with_files_by_multipart(api, ticket):
    files = [
        SimpleUploadedFile("发票.pdf", b"%PDF-1.4", content_type="application/pdf"),
        SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
    ]

    response = api.post(
        url(ticket), {"kind": "reply", "text": "附件如下", "attachments": files}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert [a["filename"] for a in response.json()["attachments"]] == ["发票.pdf", "photo.jpg"]


def test_too_large_attachment_is_400_and_nothing_is_stored(api, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    before = Message.objects.count()

    response = api.post(
        url(ticket),
        {"kind": "note", "text": "big", "attachments": [SimpleUploadedFile("big.zip", b"x" * 11)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "too large" in response.json()["attachments"][0]
    assert Message.objects.count() == before


def test_forbidden_file_type_is_400(api, ticket):
    response = api.post(
        url(ticket),
        {"kind": "note", "attachments": [SimpleUploadedFile("run.exe", b"MZ")]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "attachments" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "reply", "text": "   "}, "text"),
        ({"kind": "customer", "text": "x"}, "kind"),
        ({"text": "x"}, "kind"),
        ({"kind": "note", "text": "x", "status": "solved"}, "status"),
        ({"kind": "reply", "text": "x", "status": "done"}, "status"),
        ({"kind": "reply", "text": ["x"]}, "text"),
        ({"kind": "reply", "text": "x", "attachments": "file"}, "attachments"),
    ],
)
def test_bad_message_input_is_400_with_the_field_named(api, ticket, body, field):
    response = api.post(url(ticket), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_agent_of_another_team_cannot_reply(api_for, outsider, ticket):
    response = api_for(outsider).post(url(ticket), {"kind": "reply", "text": "hi"}, format="json")

    assert response.status_code == 404
    assert not ticket.messages.filter(kind=MessageKind.REPLY).exists()


def test_read_only_role_cannot_reply(api_for, ticket):
    trainer = UserFactory(roles=["trainer"])

    response = api_for(trainer).post(url(ticket), {"kind": "note", "text": "hi"}, format="json")

    assert response.status_code == 403
