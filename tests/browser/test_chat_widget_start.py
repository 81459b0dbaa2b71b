"""The widget on a phone, in Chromium: a file may be the first thing a visitor sends, and an ended chat
offers no end button and an e-mail field that does not claim to be required."""

import pytest
from playwright.sync_api import expect

from kefu.chat.models import ChatMessage, Conversation
from kefu.chat.tests.factories import ChatSiteFactory

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _visitor(agent, browser_page, kefu_server):
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    visitor = browser_page(locale="zh-CN", viewport=PHONE)
    visitor.goto(f"/chat/demo/?site={site.key}")
    visitor.locator(".kefu-chat-button").click()
    return visitor


def test_a_file_sent_before_any_text_starts_the_chat_and_arrives(
    agent, browser_page, kefu_server, screenshot
):
    visitor = _visitor(agent, browser_page, kefu_server)
    expect(visitor.locator(".kefu-chat-end")).to_be_hidden()  # no chat yet: nothing to end

    visitor.locator(".kefu-chat-tools input[type=file]").set_input_files(
        {"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}
    )

    expect(visitor.locator(".kefu-chat-log img[alt='receipt.png']")).to_be_visible()
    expect(visitor.locator(".kefu-chat-end")).to_be_visible()
    screenshot(visitor, "chat-widget-file-first")
    conversation = Conversation.objects.get()
    files = ChatMessage.objects.filter(conversation=conversation).exclude(attachment="")
    assert [message.attachment_name for message in files] == ["receipt.png"]


def test_an_ended_chat_hides_the_end_button_and_the_transcript_address_is_not_marked_required(
    agent, browser_page, kefu_server, screenshot
):
    visitor = _visitor(agent, browser_page, kefu_server)
    visitor.locator(".kefu-chat-input").fill("你好")
    visitor.locator(".kefu-chat-input").press("Enter")
    expect(visitor.locator(".kefu-chat-status")).to_contain_text("1")  # queued: the chat is open

    visitor.locator(".kefu-chat-end").click()

    transcript = visitor.locator(".kefu-chat-transcript")
    expect(transcript).to_contain_text("把聊天记录发到我的邮箱")
    expect(transcript).not_to_contain_text("必填")
    expect(visitor.locator(".kefu-chat-header .kefu-chat-end")).to_be_hidden()
    screenshot(visitor, "chat-widget-ended-phone")
