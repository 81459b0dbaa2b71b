"""The API docs page runs in a real browser under the site's CSP, offline, and "Try it out" works.

Swagger UI comes from drf-spectacular-sidecar's static files; its one inline script carries the CSP
nonce. `browser_page` fails the test on any CSP violation, JavaScript error or missing static file.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_agent_reads_the_api_docs_and_creates_a_customer_with_try_it_out(browser_page, agent, screenshot):
    # Given an agent signed in to Kefu, when she opens the API docs
    page = browser_page(locale="en-US", user=agent)
    page.goto("/api/docs/")

    # then Swagger UI lists the API's resources
    expect(page.locator(".opblock-tag", has_text="tickets")).to_be_visible()
    screenshot(page, "api-docs")

    # and "Try it out" on POST /customers/ creates a customer with her session (CSRF token included)
    operation = page.locator("#operations-customers-customers_create")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("textarea.body-param__text").fill('{"name": "浏览器客户"}')
    operation.locator("button.execute").click()
    expect(operation.locator(".live-responses-table .response .response-col_status").first).to_have_text(
        "201"
    )
