"""Layout at a phone's width (390 px) and a laptop's (1366 px), in Chromium: nothing a person must reach
ends up outside the screen, and the queue fits without a horizontal scroll."""

import pytest
from playwright.sync_api import expect

from kefu.accounts import roles
from kefu.chat.tests.factories import ChatSiteFactory
from kefu.knowledge import search, services
from kefu.tests.factories import CustomerFactory, TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}


def _inside_viewport(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "the element is not rendered"
    width = page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{box} is not within 0..{width} px"


def _no_page_overflow(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= page.viewport_size["width"], f"the page is {scroll_width} px wide"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_escalate_popover_opens_inside_a_phone_screen(
    language, agent, customer, front_line, browser_page
):
    """On a 390 px screen the Escalate form opens fully inside the viewport, even under a long title."""
    agent.language = language
    agent.save(update_fields=["language"])
    ticket = TicketFactory(
        customer=customer, team=front_line, assignee=agent, subject="Cannot log in since yesterday " * 3
    )
    page = browser_page(locale="en-US" if language == "en" else "zh-CN", user=agent, viewport=PHONE)
    page.goto(f"/agent/tickets/{ticket.pk}/")

    page.locator(".escalate-menu summary").click()

    form = page.locator(".escalate-menu[open] form")
    expect(form).to_be_visible()
    _inside_viewport(page, form)
    _inside_viewport(page, form.locator("button[type=submit]"))
    _inside_viewport(page, form.locator("input[name=reason]"))
    _no_page_overflow(page)


def test_the_chat_widget_fits_a_phone_screen_on_the_demo_page(browser_page, kefu_server):
    """On a 390 px screen the demo page does not widen past the screen and the widget's Send is reachable."""
    site = ChatSiteFactory(allowed_origins=[kefu_server])
    page = browser_page(locale="en-US", viewport=PHONE)
    page.goto(f"/chat/demo/?site={site.key}")

    page.locator(".kefu-chat-button").click()

    expect(page.locator(".kefu-chat-send")).to_be_visible()
    _no_page_overflow(page)
    _inside_viewport(page, page.locator(".kefu-chat-panel"))
    _inside_viewport(page, page.locator(".kefu-chat-send"))


def test_the_queue_fits_a_laptop_screen_without_horizontal_scroll(supervisor, front_line, browser_page):
    """At 1366 px the queue's table, long subjects and names included, fits its card: SLA and Updated show."""
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    relations = TeamFactory(name="客户关系组", name_en="Customer relations")
    for n in range(6):
        TicketFactory(
            customer=CustomerFactory(name=f"Alexandra Konstantinopoulou-Fitzgerald {n}"),
            team=relations if n % 2 else front_line,
            status="pending" if n % 2 else "open",
            subject=f"Order DD2026103124231{n} has not arrived yet and the courier does not answer the phone",
        )
    page = browser_page(locale="en-US", user=supervisor, viewport=LAPTOP)
    page.goto("/agent/?view=all")

    table_box = page.locator("#queue-results .table-scroll")
    expect(table_box.locator("tbody tr")).to_have_count(6)
    overflow = table_box.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 0, f"the queue scrolls sideways by {overflow} px"
    _inside_viewport(page, page.locator("#queue-results thead th").last)
    _no_page_overflow(page)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_knowledge_article_body_takes_the_wide_column(viewport, browser_page):
    """The article's text gets the wide column (not the 220 px sidebar one) and the full width on a phone."""
    search.reset_caches()
    writer = UserFactory(username="writer", roles=[roles.SENIOR_AGENT])
    article = services.create_article(
        actor=writer, title="如何重置路由器密码", body="<p>按住复位键 10 秒。</p>"
    )
    page = browser_page(locale="zh-CN", user=writer, viewport=viewport)
    page.goto(f"/agent/knowledge/articles/{article.pk}/")

    body = page.locator(".with-sidebar > article").bounding_box()
    aside = page.locator(".with-sidebar > aside").bounding_box()
    assert body["width"] > aside["width"] or body["width"] >= viewport["width"] - 40, (body, aside)
    _no_page_overflow(page)


def test_the_ticket_card_title_stays_on_one_line_and_toasts_leave_escalate_free(
    agent, customer, front_line, browser_page
):
    """At 1366 px the "工单" card title keeps one line and a toast leaves the Escalate button free."""
    ticket = TicketFactory(customer=customer, team=front_line, assignee=agent)
    page = browser_page(locale="zh-CN", user=agent, viewport=LAPTOP)
    page.goto(f"/agent/tickets/{ticket.pk}/")

    heading = page.locator(".ticket-side .card-header h2").nth(1)
    # However long the clock beside it (an overdue SLA reads "首次响应 · 已超时 10小时10分"), the title keeps its line.
    heading.evaluate(
        "h => h.insertAdjacentHTML('afterend', '<span>首次响应 · 已超时 10小时10分 · 解决 · 已超时 3天</span>')"
    )
    line_height = heading.evaluate("h => parseFloat(getComputedStyle(h).lineHeight)")
    assert heading.bounding_box()["height"] < 1.5 * line_height

    page.evaluate(
        "() => { const n = document.createElement('div'); n.className = 'notice notice-success';"
        " n.textContent = '已保存'; document.querySelector('#flash').appendChild(n); }"
    )
    toast = page.locator("#flash .notice").bounding_box()
    button = page.locator(".escalate-menu summary").bounding_box()
    apart = (
        toast["x"] >= button["x"] + button["width"]
        or button["x"] >= toast["x"] + toast["width"]
        or toast["y"] >= button["y"] + button["height"]
        or button["y"] >= toast["y"] + toast["height"]
    )
    assert apart, f"the toast {toast} covers the Escalate button {button}"
