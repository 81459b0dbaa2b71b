"""The rating at the end of a live chat, in Chromium: the agent ends the chat in the console, the visitor
rates it in the widget (keyboard and touch sized), and the agent's ticket page shows the rating."""

import pytest
from playwright.sync_api import expect

from kefu.chat.models import Conversation
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.surveys.models import Survey

pytestmark = [pytest.mark.browser]


def _chat_until_the_agent_ends_it(agent, browser_page, kefu_server, *, locale: str, viewport=None):
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    agent.presence = "online"
    agent.save(update_fields=["presence"])
    console = browser_page(locale="zh-CN", user=agent)
    console.goto("/agent/chats/")
    visitor = browser_page(locale=locale, viewport=viewport)
    visitor.goto(f"/chat/demo/?site={site.key}")
    visitor.locator(".kefu-chat-button").click()
    visitor.locator(".kefu-chat-input").fill("我的订单还没到")
    visitor.locator(".kefu-chat-input").press("Enter")
    console.locator("#chat-queue-list [data-accept]").first.click()
    window = console.locator(".chat-window").first
    window.locator("textarea").fill("已为您催促物流")
    window.locator("textarea").press("Enter")
    expect(visitor.locator(".kefu-chat-log")).to_contain_text("已为您催促物流")
    window.locator("[data-end]").click()
    return console, visitor


def test_the_visitor_rates_the_ended_chat_and_the_agent_sees_it_on_the_ticket(
    agent, supervisor, browser_page, kefu_server, screenshot
):
    console, visitor = _chat_until_the_agent_ends_it(agent, browser_page, kefu_server, locale="zh-CN")

    rating = visitor.locator(".kefu-chat-rating")
    expect(rating).to_contain_text("您对本次服务满意吗？")
    screenshot(visitor, "chat-widget-rating")
    visitor.locator(".kefu-chat-rating input[name=csat][value='5']").focus()
    visitor.keyboard.press("Space")  # a radio group: reachable and chosen by keyboard
    expect(visitor.locator(".kefu-chat-star.is-lit")).to_have_count(5)
    rating.locator("textarea[name=comment]").fill("回复很快，谢谢！")
    rating.locator("button[type=submit]").click()
    expect(rating).to_contain_text("感谢您的评价！")

    survey = Survey.objects.get()
    assert (survey.csat, survey.comment, survey.agent_id) == (5, "回复很快，谢谢！", agent.pk)
    ticket_id = Conversation.objects.get().ticket_id
    console.goto(f"/agent/tickets/{ticket_id}/")
    answer = console.locator("#survey-answer")
    expect(answer).to_contain_text("5")
    expect(answer).to_contain_text("回复很快，谢谢！")

    report = browser_page(locale="zh-CN", user=supervisor)
    report.goto("/dashboard/")
    report.locator("a[href='/survey/report/']").click()
    row = report.locator(f"#csat-by-agent tr[data-agent='{agent.pk}']")
    expect(row).to_contain_text("王芳")
    expect(row.locator("[data-figure=csat]")).to_have_text("100%")
    screenshot(report, "csat-by-agent-report")


def test_an_unanswered_rating_comes_back_after_a_reload_and_can_be_skipped_on_a_phone(
    agent, browser_page, kefu_server, screenshot
):
    phone = {"width": 360, "height": 700}
    _console, visitor = _chat_until_the_agent_ends_it(
        agent, browser_page, kefu_server, locale="en-US", viewport=phone
    )
    expect(visitor.locator(".kefu-chat-rating")).to_contain_text("How satisfied are you with this chat?")

    visitor.reload()
    visitor.locator(".kefu-chat-button").click()
    rating = visitor.locator(".kefu-chat-rating")
    expect(rating).to_contain_text("How satisfied are you with this chat?")
    screenshot(visitor, "chat-widget-rating-phone")
    star = rating.locator(".kefu-chat-star").first.bounding_box()
    assert star["width"] >= 44 and star["height"] >= 44  # large enough for a finger
    panel = visitor.locator(".kefu-chat-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= phone["width"]

    rating.get_by_role("button", name="Skip").click()
    expect(rating).to_be_hidden()
    visitor.reload()
    visitor.locator(".kefu-chat-button").click()
    expect(visitor.locator(".kefu-chat-panel")).to_be_visible()
    expect(visitor.locator(".kefu-chat-rating")).to_be_hidden()
    assert not Survey.objects.answered().exists()
