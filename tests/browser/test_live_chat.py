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


def test_an_agent_transfers_a_chat_to_a_colleague_with_a_note(
    agent, teammate, browser_page, kefu_server, screenshot
):
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    for person in (agent, teammate):
        person.presence = "online"
        person.save(update_fields=["presence"])
    wang = browser_page(locale="zh-CN", user=agent)
    wang.goto("/agent/chats/")
    li = browser_page(locale="zh-CN", user=teammate)
    li.goto("/agent/chats/")
    visitor = browser_page(locale="zh-CN")
    visitor.goto(f"/chat/demo/?site={site.key}")

    visitor.locator(".kefu-chat-button").click()
    visitor.locator(".kefu-chat-input").fill("我要退货")
    visitor.locator(".kefu-chat-input").press("Enter")
    wang.locator("#chat-queue-list [data-accept]").first.click()
    window = wang.locator(".chat-window").first
    expect(window.locator(".chat-log")).to_contain_text("我要退货")

    window.locator(".chat-transfer select").select_option(label="李娜")
    window.locator(".chat-transfer input[name=note]").fill("订单已核实，请办理退货")
    window.locator(".chat-transfer button").click()

    theirs = li.locator(".chat-window").first
    expect(theirs.locator(".chat-log")).to_contain_text("订单已核实，请办理退货")
    expect(window.locator(".chat-closed")).to_be_visible()
    expect(visitor.locator(".kefu-chat-status")).to_contain_text("李娜")
    theirs.locator("textarea").fill("您好，我来为您办理退货")
    theirs.locator("textarea").press("Enter")
    expect(visitor.locator(".kefu-chat-log")).to_contain_text("您好，我来为您办理退货")
    expect(visitor.locator(".kefu-chat-log")).not_to_contain_text("订单已核实")
    screenshot(li, "chat-console-after-transfer")
    screenshot(visitor, "chat-widget-after-transfer")


def test_after_hours_the_visitor_leaves_a_message_that_becomes_a_ticket(
    browser_page, kefu_server, screenshot
):
    from kefu.sla.models import BusinessCalendar
    from kefu.tickets.models import Ticket

    never = BusinessCalendar.objects.create(name="从不营业", hours={}, use_china_holidays=False)
    site = ChatSiteFactory(allowed_origins=[kefu_server], calendar=never)
    visitor = browser_page(locale="en-US", viewport={"width": 375, "height": 700})  # a phone
    visitor.goto(f"/chat/demo/?site={site.key}")

    visitor.locator(".kefu-chat-button").click()
    leave = visitor.locator(".kefu-chat-leave")
    expect(leave).to_be_visible()
    leave.locator("input[name=name]").fill("Chen")
    leave.locator("input[name=email]").fill("chen@example.com")
    leave.locator("textarea[name=text]").fill("Please call me back tomorrow")
    leave.locator("button").click()

    expect(visitor.locator(".kefu-chat-extra")).to_contain_text("we have your message")
    screenshot(visitor, "chat-widget-left-a-message-phone")
    ticket = Ticket.objects.get()
    assert ticket.channel == "chat" and "Please call me back tomorrow" in ticket.messages.get().body_text
    box = visitor.locator(".kefu-chat-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # the panel fits a phone's width


def test_the_prechat_form_routes_the_chat_and_the_agent_sees_the_answers(agent, browser_page, kefu_server):
    from kefu.chat.tests.factories import ChatTopicFactory

    site = ChatSiteFactory(
        allowed_origins=[kefu_server],
        prechat_form={"fields": ["name", "email", "topic"], "required": ["name"]},
    )
    ChatTopicFactory(site=site, name="物流查询")
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    console = browser_page(locale="zh-CN", user=agent)
    console.goto("/agent/chats/")
    visitor = browser_page(locale="zh-CN")
    visitor.goto(f"/chat/demo/?site={site.key}")

    visitor.locator(".kefu-chat-button").click()
    prechat = visitor.locator(".kefu-chat-prechat")
    prechat.locator("input[name=name]").fill("陈小姐")
    prechat.locator("input[name=email]").fill("chen@example.com")
    prechat.locator("select[name=topic]").select_option(label="物流查询")
    prechat.locator("button").click()
    visitor.locator(".kefu-chat-input").fill("包裹到哪了")
    visitor.locator(".kefu-chat-input").press("Enter")
    expect(visitor.locator(".kefu-chat-status")).to_contain_text("分钟")

    console.locator("#chat-queue-list [data-accept]").first.click()
    window = console.locator(".chat-window").first
    expect(window.locator(".chat-customer")).to_have_text("陈小姐")
    expect(window.locator(".chat-topic")).to_have_text("物流查询")
    expect(window.locator(".chat-email")).to_have_text("chen@example.com")


def test_a_visitor_sends_an_image_and_the_agent_sees_it(agent, browser_page, kefu_server, tmp_path):
    import base64

    site = ChatSiteFactory(allowed_origins=[kefu_server])
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    console = browser_page(locale="zh-CN", user=agent)
    console.goto("/agent/chats/")
    visitor = browser_page(locale="zh-CN")
    visitor.goto(f"/chat/demo/?site={site.key}")
    visitor.locator(".kefu-chat-button").click()
    visitor.locator(".kefu-chat-input").fill("看看这个")
    visitor.locator(".kefu-chat-input").press("Enter")
    console.locator("#chat-queue-list [data-accept]").first.click()
    window = console.locator(".chat-window").first
    expect(window.locator(".chat-log")).to_contain_text("看看这个")
    image = tmp_path / "截图.png"
    image.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
        )
    )

    visitor.locator(".kefu-chat-panel input[type=file]").set_input_files(str(image))

    expect(visitor.locator(".kefu-chat-log img[alt='截图.png']")).to_be_visible()
    expect(window.locator(".chat-log img[alt='截图.png']")).to_be_visible()
