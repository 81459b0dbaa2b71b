"""An agent's public reply reaches the customer in the portal; her internal note does not.

The whole path through real pages: the staff login form, the queue, the ticket page's reply box (htmx),
the portal login with a password, the customer's ticket list and ticket page.
"""

import re

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import PASSWORD, CustomerFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"
REPLY = "您好，您的订单已于今天发出，快递单号 SF1234567890。"
NOTE = "内部备注：客户上周也投诉过，注意语气。"


@pytest.fixture
def chen(front_line):
    """A customer with a portal login (by e-mail and password) and one unassigned ticket in the front line."""
    customer = CustomerFactory(name="陈小姐", email="chen@example.com")
    customer.user = UserFactory(username="chen@example.com", email="chen@example.com", is_staff=False,
                                display_name="陈小姐")  # fmt: skip
    customer.save()
    ticket = TicketFactory(customer=customer, team=front_line, subject="订单 A1001 未发货")
    return customer, ticket


@pytest.mark.browser
def test_public_reply_reaches_the_portal_and_internal_note_does_not(
    agent, chen, browser_page, screenshot, translated
):
    customer, ticket = chen
    t = lambda msgid: translated(msgid, ZH)  # noqa: E731

    # Given an agent who logs in through the login form
    staff = browser_page(locale="zh-CN")
    staff.goto("/accounts/login/")
    staff.get_by_label(t("Username")).fill(agent.username)
    staff.get_by_label(t("Password")).fill(PASSWORD)
    staff.get_by_role("button", name=t("Log in"), exact=True).click()
    expect(staff).to_have_url(re.compile(r"/agent/"))

    # When she opens the ticket from her team's unassigned queue
    staff.get_by_role("navigation", name=t("Ticket views")).get_by_role(
        "link", name=t("Unassigned in my teams")
    ).click()
    staff.get_by_role("link", name=ticket.subject).click()
    expect(staff).to_have_url(re.compile(rf"/agent/tickets/{ticket.pk}/$"))
    expect(staff.get_by_role("heading", level=1)).to_contain_text(ticket.subject)

    # ... writes a public reply and sends it
    staff.locator("#reply-text").fill(REPLY)
    staff.get_by_role("button", name=t("Send reply")).click()
    timeline = staff.locator("#timeline")
    expect(timeline.locator(".msg-reply")).to_contain_text(REPLY)

    # ... and adds an internal note for her colleagues
    kinds = staff.get_by_role("radiogroup", name=t("Message kind"))
    kinds.get_by_text(t("Internal note")).click()  # the tab's label: the radio itself is styled away
    expect(kinds.get_by_role("radio", name=t("Internal note"))).to_be_checked()
    staff.locator("#reply-text").fill(NOTE)
    staff.get_by_role("button", name=t("Add note")).click()
    expect(timeline.locator(".msg-note")).to_contain_text(NOTE)
    screenshot(staff, "agent-ticket-after-reply-and-note")

    # Then the customer, logged in to the portal with her password, finds her ticket
    portal = browser_page(locale="zh-CN")
    portal.goto("/portal/")
    expect(portal).to_have_url(re.compile(r"/portal/login/"))
    password_form = portal.get_by_role("region", name=t("Sign in with your password"))
    password_form.locator("input[name=username]").fill("chen@example.com")
    password_form.locator("input[name=password]").fill(PASSWORD)
    password_form.get_by_role("button").click()
    expect(portal).to_have_url(re.compile(r"/portal/$"))
    screenshot(portal, "portal-ticket-list")
    portal.get_by_role("link", name=ticket.subject).click()

    # ... reads the agent's reply
    expect(portal.get_by_role("heading", level=1)).to_contain_text(ticket.subject)
    expect(portal.get_by_text(REPLY)).to_be_visible()
    screenshot(portal, "portal-ticket-with-reply")

    # ... and sees nothing of the internal note
    expect(portal.get_by_text(NOTE)).to_have_count(0)
    assert NOTE not in portal.content()
