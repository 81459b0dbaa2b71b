"""Two agents on one ticket page, in Chromium: each sees the other, who is replying, and new replies.

Served by `kefu.config.asgi.application` (pages and websockets) in this process against the test
database; Chromium, the server and the pages come from tests/browser/conftest.py.
"""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


@pytest.mark.browser
def test_agents_on_one_ticket_see_each_other_typing_and_replies(ticket, agent, teammate, browser_page):
    wang = browser_page(locale="zh-CN", user=agent)
    li = browser_page(locale="zh-CN", user=teammate)
    wang.goto(f"/agent/tickets/{ticket.pk}/")

    li.goto(f"/agent/tickets/{ticket.pk}/")
    expect(wang.locator("#presence .presence-viewing")).to_contain_text("李娜")
    expect(li.locator("#presence .presence-viewing")).to_contain_text("王芳")

    li.locator("#reply-text").fill("您好，我来处理")
    expect(wang.locator("#presence .presence-replying")).to_contain_text("李娜")

    li.locator("#reply-box button.send-reply").click()
    # Either the "updated by someone else" notice or the reply itself (when the timeline refreshes live)
    news = wang.locator("#presence .presence-changed").or_(
        wang.locator("#timeline").get_by_text("您好，我来处理")
    )
    expect(news.first).to_be_visible()
    expect(li.locator("#presence .presence-changed")).to_have_count(0)  # her own reply is no news to her

    li.close()
    expect(wang.locator("#presence .presence-viewing")).to_have_count(0)
