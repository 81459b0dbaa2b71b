"""Visitors send images and files through the upload endpoint: checked, renamed, and behind signed links."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.chat import rules, services
from kefu.chat.models import ChatMessage
from kefu.connectors.webchat import throttle
from kefu.connectors.webchat.consumers import make_token

ORIGIN = "https://shop.example.com"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def chat(site):
    return services.start_conversation(site=site, visitor_id="v1", text="hi")


def _upload(client, site, *, token, file, origin=ORIGIN, client_id="f1"):
    return client.post(
        f"/chat/upload/{site.key}/",
        {"token": token, "client_id": client_id, "file": file},
        headers={"origin": origin},
    )


def test_an_image_is_stored_as_a_chat_message_and_served_inline_behind_its_signed_link(client, site, chat):
    response = _upload(
        client,
        site,
        token=make_token(site, "v1"),
        file=SimpleUploadedFile("../我的截图.png", PNG, "image/png"),
    )

    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == ORIGIN
    data = response.json()
    message = ChatMessage.objects.get(pk=data["id"])
    assert message.attachment_name == "我的截图.png" and message.attachment_type == "image/png"
    assert "我的截图" not in message.attachment.name and ".." not in message.attachment.name
    served = client.get(data["file"]["url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG


def test_a_file_link_with_a_forged_signature_is_not_found(client, site, chat):
    data = _upload(
        client, site, token=make_token(site, "v1"), file=SimpleUploadedFile("a.png", PNG, "image/png")
    ).json()

    forged = data["file"]["url"].replace(f"/{data['id']}:", f"/{data['id'] + 1}:")
    assert client.get(forged).status_code == 404
    assert client.get(f"/chat/files/{data['id']}/").status_code == 404


def test_html_disguised_as_an_image_and_oversized_files_are_refused(client, site, chat, settings):
    token = make_token(site, "v1")
    disguised = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script>", "image/png")
    assert _upload(client, site, token=token, file=disguised, client_id="f1").status_code == 400

    huge = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * rules.MAX_UPLOAD, "application/pdf")
    assert _upload(client, site, token=token, file=huge, client_id="f2").status_code == 400
    assert not ChatMessage.objects.exclude(attachment="").exists()


def test_uploads_need_an_allowed_origin_and_the_visitors_own_open_chat(client, site, chat):
    image = SimpleUploadedFile("a.png", PNG, "image/png")
    assert (
        _upload(
            client, site, token=make_token(site, "v1"), file=image, origin="https://evil.example"
        ).status_code
        == 403
    )
    assert _upload(client, site, token=make_token(site, "stranger"), file=image).status_code == 400
    assert _upload(client, site, token="forged", file=image).status_code == 400
    assert not ChatMessage.objects.exclude(attachment="").exists()


def test_the_same_upload_sent_twice_is_stored_once(client, site, chat):
    token = make_token(site, "v1")
    first = _upload(client, site, token=token, file=SimpleUploadedFile("a.png", PNG, "image/png")).json()
    again = _upload(client, site, token=token, file=SimpleUploadedFile("a.png", PNG, "image/png")).json()

    assert first["id"] == again["id"]
    assert ChatMessage.objects.exclude(attachment="").count() == 1


def test_a_visitor_over_the_rate_limit_cannot_upload(client, site, chat):
    for _ in range(throttle.LIMIT):
        throttle.allow(site.key, "v1")

    response = _upload(
        client, site, token=make_token(site, "v1"), file=SimpleUploadedFile("a.png", PNG, "image/png")
    )

    assert response.status_code == 429
