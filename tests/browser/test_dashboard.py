"""A supervisor reads the center's figures on the dashboard, in Chinese and in English."""

import re

import pytest
from playwright.sync_api import expect

from kefu.tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.browser


def test_supervisor_sees_the_backlog_and_complaints_and_the_panel_refreshes(
    supervisor, customer, front_line, browser_page, screenshot
):
    # Given three open tickets, one of them a major complaint
    complaint = CategoryFactory(code="complaint", name="投诉", name_en="Complaint")
    TicketFactory(customer=customer, team=front_line, status="open")
    TicketFactory(customer=customer, team=front_line, status="new")
    TicketFactory(customer=customer, team=front_line, status="open", category=complaint, severity="major")
    page = browser_page(locale="zh-CN", user=supervisor)

    # When the supervisor opens the dashboard from the navigation
    page.goto("/agent/")
    page.get_by_role("link", name="仪表盘").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # Then the tiles show the backlog and the major complaint, in Chinese
    expect(page.locator('[data-kpi="backlog"]')).to_have_text("3")
    expect(page.locator('[data-kpi="open-complaints"]')).to_have_text("1")
    expect(page.get_by_text("其中重大 1 件")).to_be_visible()
    expect(page.locator('[data-chart="backlog"] li')).to_have_count(4)
    screenshot(page, "dashboard-zh")

    # And when another ticket arrives, the panel's refresh shows it without a reload
    TicketFactory(customer=customer, team=front_line, status="new")
    page.evaluate("htmx.ajax('GET', '/dashboard/panel/', {target: '#dashboard-panel', swap: 'outerHTML'})")
    expect(page.locator('[data-kpi="backlog"]')).to_have_text("4")


def test_the_dashboard_reads_in_english(supervisor, browser_page):
    supervisor.language = "en"
    supervisor.save(update_fields=["language"])
    page = browser_page(locale="en-US", user=supervisor)

    page.goto("/dashboard/")

    expect(page.get_by_role("heading", name="Service center dashboard")).to_be_visible()
    expect(page.get_by_text("Open complaints")).to_be_visible()
