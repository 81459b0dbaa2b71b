"""Attachments: uploaded with a reply or note within limits, downloaded only through a permission check."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kefu.tickets.models import Attachment

from .conftest import HTMX

pytestmark = pytest.mark.django_db


def reply_url(ticket) -> str:
    return reverse("workspace:reply", args=[ticket.pk])


def upload(name: str, content: bytes = b"hello", content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_reply_with_several_attachments(login, agent, ticket):
    response = login(agent).post(
        reply_url(ticket),
        {
            "kind": "reply",
            "text": "见附件",
            "attachments": [upload("发票.pdf", b"%PDF-1.4"), upload("清单.txt")],
        },
    )

    assert response.status_code == 302
    names = sorted(Attachment.objects.filter(message__ticket=ticket).values_list("filename", flat=True))
    assert names == ["发票.pdf", "清单.txt"]


def test_note_with_only_an_attachment_is_accepted(login, agent, ticket):
    login(agent).post(
        reply_url(ticket), {"kind": "note", "text": "", "attachments": [upload("截图.png", b"\x89PNG")]}
    )

    assert Attachment.objects.filter(message__ticket=ticket, message__kind="note").count() == 1


def test_too_large_attachment_is_refused_with_the_limit(login, agent, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = login(agent).post(
        reply_url(ticket),
        {"kind": "reply", "text": "big", "attachments": [upload("big.txt", b"x" * 11)]},
        **HTMX,
    )

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not ticket.messages.filter(kind="reply").exists()


def test_forbidden_file_type_is_refused(login, agent, ticket):
    response = login(agent).post(
        reply_url(ticket), {"kind": "reply", "text": "run me", "attachments": [upload("setup.exe", b"MZ")]}
    )

    assert response.status_code == 400
    assert "not allowed" in response.content.decode()
    assert not Attachment.objects.exists()


def test_too_many_files_at_once_are_refused(login, agent, ticket):
    files = [upload(f"f{i}.txt") for i in range(11)]

    response = login(agent).post(reply_url(ticket), {"kind": "reply", "text": "many", "attachments": files})

    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_download_is_an_attachment_with_its_name_for_those_who_see_the_ticket(login, agent, ticket):
    response = login(agent).post(
        reply_url(ticket),
        {"kind": "reply", "text": "附件", "attachments": [upload("报告.pdf", b"%PDF-1.4 data")]},
    )
    assert response.status_code == 302
    stored = Attachment.objects.get(message__ticket=ticket)

    download = login(agent).get(reverse("workspace:attachment", args=[stored.pk]))

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"%PDF-1.4 data"


def test_page_links_files_to_the_checked_download_not_to_media(login, agent, ticket):
    login(agent).post(reply_url(ticket), {"kind": "reply", "text": "附件", "attachments": [upload("a.txt")]})
    stored = Attachment.objects.get(message__ticket=ticket)

    body = login(agent).get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()

    assert reverse("workspace:attachment", args=[stored.pk]) in body
    assert "/media/" not in body


def test_outsider_cannot_download_a_front_line_attachment(login, agent, outsider, ticket):
    login(agent).post(reply_url(ticket), {"kind": "reply", "text": "附件", "attachments": [upload("a.txt")]})
    stored = Attachment.objects.get(message__ticket=ticket)

    response = login(outsider).get(reverse("workspace:attachment", args=[stored.pk]))

    assert response.status_code == 404


def test_unknown_attachment_is_404(login, agent):
    assert login(agent).get("/agent/attachments/424242/").status_code == 404


def test_browser_runnable_types_are_sent_as_plain_bytes(login, agent, ticket, settings):
    settings.ATTACHMENT_FORBIDDEN_EXTENSIONS = ["exe"]
    login(agent).post(
        reply_url(ticket),
        {
            "kind": "reply",
            "text": "附件",
            "attachments": [upload("page.html", b"<script>x</script>", "text/html")],
        },
    )
    stored = Attachment.objects.get(message__ticket=ticket)

    download = login(agent).get(reverse("workspace:attachment", args=[stored.pk]))

    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
