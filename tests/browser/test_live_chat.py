"""A visitor chats through the embedded widget with an agent in the chat console, in Chromium.

The visitor's page is the widget demo page (one script tag); the agent's is /agent/chats/. Served by
`kefu.config.asgi.application` in this process against the test database (tests/browser/conftest.py).
"""

import pytest
from playwright.sync_api import expect

from kefu.chat.tests.factories import ChatSiteFactory

pytestmark = [pytest.mark.browser]


def test_a_visitor_and_an_agent_chat_both_ways_through_widget_and_console(agent, browser_page, kefu_server):
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    console = browser_page(locale="zh-CN", user=agent)
    console.goto("/agent/chats/")
    visitor = browser_page(locale="zh-CN")
    visitor.goto(f"/chat/demo/?site={site.key}")

    visitor.locator(".kefu-chat-button").click()
    visitor.locator(".kefu-chat-input").fill("你好，我的订单还没到")
    visitor.locator(".kefu-chat-input").press("Enter")
    expect(visitor.locator(".kefu-chat-status")).to_contain_text("1")  # number 1 in the queue

    console.locator("#chat-queue-list [data-accept]").first.click()
    window = console.locator(".chat-window").first
    expect(window.locator(".chat-log")).to_contain_text("你好，我的订单还没到")
    expect(visitor.locator(".kefu-chat-status")).to_contain_text("王芳")

    window.locator("textarea").fill("您好，我来帮您查询")
    window.locator("textarea").press("Enter")
    expect(visitor.locator(".kefu-chat-log")).to_contain_text("您好，我来帮您查询")
    expect(window.locator(".chat-log .chat-line")).to_have_count(2)

    visitor.locator(".kefu-chat-input").fill("谢谢")
    visitor.locator(".kefu-chat-input").press("Enter")
    expect(window.locator(".chat-log")).to_contain_text("谢谢")
    expect(visitor.locator(".kefu-chat-log .kefu-chat-line")).to_have_count(3)
