"""An agent works the queue and a ticket from the keyboard; errors and bulk changes show without a reload.

Covers app.js (shortcuts, selection, htmx error handling) and the workspace's htmx partials in a real
browser, with the page's Content-Security-Policy in force (the fixture fails on any violation).
"""

import re

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import MacroFactory, TicketFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"


@pytest.mark.browser
def test_agent_moves_opens_notes_and_takes_a_ticket_with_the_keyboard(
    agent, customer, front_line, browser_page, screenshot, translated
):
    # Given two unassigned tickets in the agent's team
    older = TicketFactory(customer=customer, team=front_line, subject="发票抬头写错了")
    TicketFactory(customer=customer, team=front_line, subject="物流一直没有更新")
    page = browser_page(locale="zh-CN", user=agent)

    # When she opens her team's unassigned tickets and moves down twice with j, then opens with Enter
    page.goto("/agent/?view=unassigned&sort=oldest")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator("[data-queue-row].is-current")).to_contain_text(older.subject)
    screenshot(page, "workspace-queue")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/agent/tickets/{older.pk}/$"))

    # ... writes an internal note after pressing n (the shortcut does not fire while she types)
    page.keyboard.press("n")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("内部备注：先核对发票信息 jkna")
    page.get_by_role("button", name=translated("Add note", ZH)).click()

    # Then the note appears in the timeline without a reload, marked as internal
    expect(page.locator("#timeline .msg-note")).to_contain_text("先核对发票信息 jkna")
    expect(page.locator("#reply-text")).to_have_value("")

    # When she presses a (outside the text box) the ticket becomes hers
    page.locator("#reply-text").blur()
    page.keyboard.press("a")
    expect(page.locator("#ticket-header")).to_contain_text(agent.name)

    # ... ? shows the shortcut help, and g q goes back to the queue
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    page.keyboard.press("q")
    expect(page).to_have_url(re.compile(r"/agent/$"))
    screenshot(page, "workspace-my-tickets")
    expect(page.locator("[data-queue-row]")).to_have_count(1)


@pytest.mark.browser
def test_refused_reply_shows_its_reason_and_keeps_the_page(agent, ticket, browser_page, translated):
    page = browser_page(locale="zh-CN", user=agent)
    page.goto(f"/agent/tickets/{ticket.pk}/")

    page.get_by_role("button", name=translated("Send reply", ZH)).click()

    expect(page.locator("#flash .notice-error")).to_have_text(
        translated("Write a message or attach a file.", ZH)
    )
    expect(page.locator("#timeline")).to_be_visible()


@pytest.mark.browser
def test_macro_fills_the_reply_box_and_bulk_change_updates_the_rows(
    agent, customer, front_line, browser_page, translated
):
    ticket = TicketFactory(customer=customer, team=front_line)
    TicketFactory(customer=customer, team=front_line)
    MacroFactory(name="问候", body="您好 {{ customer.name }}，工单 #{{ ticket.number }} 已收到。")
    page = browser_page(locale="zh-CN", user=agent)

    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.locator("#macro-select").select_option(label="问候")
    page.get_by_role("button", name=translated("Apply", ZH), exact=True).click()
    expect(page.locator("#reply-text")).to_have_value(f"您好 {customer.name}，工单 #{ticket.pk} 已收到。")

    page.goto("/agent/?view=unassigned")
    page.locator("[data-select-all]").check()
    expect(page.locator("[data-selected-count]")).to_contain_text("2")
    page.locator("#bulk-tag").fill("巡检")
    page.get_by_role("button", name=translated("Apply to selected", ZH)).click()
    expect(page.locator("#queue-results .tag", has_text="巡检")).to_have_count(2)
