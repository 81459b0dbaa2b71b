"""Notices (toasts), in Chromium: a success notice leaves by itself after a few seconds, an error stays until
closed with its close button, and the stack sits in a corner clear of the ticket sidebar's Save button."""

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 600}  # the sidebar scrolls: its Save ends near the bottom


def _apart(a: dict, b: dict) -> bool:
    return (
        a["x"] >= b["x"] + b["width"]
        or b["x"] >= a["x"] + a["width"]
        or a["y"] >= b["y"] + b["height"]
        or b["y"] >= a["y"] + a["height"]
    )


def test_a_success_notice_fades_and_none_covers_the_sidebar_save_button(
    agent, customer, front_line, browser_page, screenshot
):
    ticket = TicketFactory(customer=customer, team=front_line, assignee=agent)
    page = browser_page(locale="zh-CN", user=agent, viewport=DESKTOP)
    page.clock.install()
    page.goto(f"/agent/tickets/{ticket.pk}/")

    for n in range(6):  # several saves in a row pile up notices
        page.locator("#ticket-fields input[name=tags]").fill(f"tag{n}")
        page.locator("#ticket-fields .save-button").click()
        expect(page.locator("#ticket-fields .save-button")).to_be_enabled()
    notices = page.locator("#flash .notice-success")
    expect(notices.first).to_be_visible()
    page.locator("#ticket-fields .save-button").scroll_into_view_if_needed()
    screenshot(page, "notices-beside-the-sidebar")
    save = page.locator("#ticket-fields .save-button").bounding_box()
    for box in [notice.bounding_box() for notice in notices.all()]:
        assert _apart(box, save), f"a notice {box} covers the Save button {save}"

    page.clock.run_for(6_000)

    expect(notices).to_have_count(0)


def test_an_error_notice_stays_until_its_close_button_is_pressed(agent, customer, front_line, browser_page):
    ticket = TicketFactory(customer=customer, team=front_line, assignee=agent)
    page = browser_page(locale="zh-CN", user=agent, viewport=DESKTOP)
    page.clock.install()
    page.goto(f"/agent/tickets/{ticket.pk}/")
    page.evaluate("Kefu.flash('出错了', 'error')")

    page.clock.run_for(30_000)

    error = page.locator("#flash .notice-error")
    expect(error).to_have_count(1)
    error.get_by_role("button").click()
    expect(error).to_have_count(0)
