"""An agent watches a ticket's SLA clock count down in the browser and turn to "breached" on time.

The clock is rendered by the server ({% sla_clock %}) and then moved every second by
kefu/static/kefu/countdown.js, in the queue and on the ticket page, with the server's translations.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kefu.sla.services import apply_policy
from kefu.sla.tests.factories import SlaPolicyFactory
from kefu.tests.factories import TicketFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"
DEADLINE = timedelta(seconds=12)  # long enough to load the page, short enough to wait for


def _prefix(sentence: str) -> str:
    """The words of a translated sentence around its %(time)s (the part that does not change)."""
    return max(sentence.split("%(time)s"), key=len).strip()


def _ticket_due_soon(customer, front_line):
    SlaPolicyFactory(first_response=DEADLINE, resolution=timedelta(hours=8), business_time=False)
    ticket = TicketFactory(customer=customer, team=front_line, subject="快递丢件")
    apply_policy(ticket=ticket)
    return ticket


def test_the_sla_clock_counts_down_and_turns_breached_on_the_ticket_page(
    agent, customer, front_line, browser_page, translated, screenshot
):
    # Given a ticket whose first response is due in a few seconds
    ticket = _ticket_due_soon(customer, front_line)
    left = _prefix(translated("%(time)s left", ZH))
    breached = _prefix(translated("breached by %(time)s", ZH))
    seconds = translated("%(seconds)ss", ZH).replace("%(seconds)s", "")

    # When the agent opens it
    page = browser_page(locale="zh-CN", user=agent)
    page.goto(f"/agent/tickets/{ticket.pk}/")
    clock = page.locator(".card-header [data-sla-clock]")

    # Then the clock says how long is left, in seconds, and counts down while she looks
    expect(clock).to_contain_text(left)
    expect(clock).to_contain_text(re.compile(r"\d+" + re.escape(seconds)))
    first = clock.inner_text()
    expect(clock).not_to_have_text(first)
    expect(clock).to_contain_text(left)
    screenshot(page, "sla-clock-counting")

    # And when the deadline passes it says "breached", in the breached style, without a reload
    expect(clock).to_have_class(re.compile(r"\bsla-breached\b"), timeout=DEADLINE.seconds * 1000 + 5000)
    expect(clock).to_contain_text(breached)
    expect(clock).not_to_contain_text(left)
    screenshot(page, "sla-clock-breached")


def test_the_queue_clock_turns_breached_without_a_reload(
    agent, customer, front_line, browser_page, translated
):
    # Given a ticket in the agent's queue whose first response is due in a few seconds
    ticket = _ticket_due_soon(customer, front_line)

    # When the agent keeps the queue open
    page = browser_page(locale="en", user=agent)
    page.goto("/agent/?view=unassigned")
    clock = page.locator(f'[data-queue-row="{ticket.pk}"] [data-sla-clock]')
    expect(clock).to_have_class(re.compile(r"\bsla-(ok|warning)\b"))
    expect(clock).to_contain_text(re.compile(r"\d+s left"))

    # Then its clock turns to "breached by …" when the deadline passes
    expect(clock).to_have_class(re.compile(r"\bsla-breached\b"), timeout=DEADLINE.seconds * 1000 + 5000)
    expect(clock).to_contain_text(re.compile(r"breached by \d+s"))
