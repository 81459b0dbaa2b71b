"""A supervisor creates an SLA policy in /manage/ with checkboxes and units, and finds it in the list."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kefu.sla.models import SlaPolicy
from kefu.tests.factories import CategoryFactory

pytestmark = pytest.mark.browser

ZH = "zh-hans"


def test_supervisor_creates_an_sla_policy(supervisor, browser_page, translated, screenshot):
    # Given a complaint category and a supervisor in /manage/, following the navigation to the SLA policies
    CategoryFactory(code="complaint", name="投诉", name_en="Complaint")
    page = browser_page(locale="zh-CN", user=supervisor)
    page.goto("/manage/")
    page.locator("nav.manage-nav").get_by_role("link", name=translated("SLA policies", ZH)).click()
    page.get_by_role("link", name=translated("Add policy", ZH)).click()

    # When she first asks for an impossible warning share, then corrects it
    page.locator("#id_name").fill("重大投诉")
    page.get_by_label("投诉", exact=True).check()
    page.locator("#id_first_response").fill("30")
    page.locator("#id_first_response_unit").select_option("minutes")
    page.locator("#id_resolution").fill("2")
    page.locator("#id_resolution_unit").select_option("days")
    page.locator("#id_business_time").uncheck()
    page.locator("#id_warning_percent").fill("250")
    page.get_by_role("button", name=translated("Save", ZH)).click()
    expect(page.locator(".field.has-error")).to_be_visible()
    screenshot(page, "manage-sla-form-error")
    page.locator("#id_warning_percent").fill("75")
    page.get_by_role("button", name=translated("Save", ZH)).click()

    # Then the list shows it with its condition and targets, and it is stored as typed
    row = page.locator("#sla-policies tr", has_text="重大投诉")
    expect(row).to_contain_text("投诉")
    expect(row).to_contain_text(translated("Around the clock", ZH))
    policy = SlaPolicy.objects.get(name="重大投诉")
    assert policy.categories == ["complaint"]
    assert (policy.first_response, policy.resolution, policy.warning_percent) == (
        timedelta(minutes=30),
        timedelta(days=2),
        75,
    )
    screenshot(page, "manage-sla")

    # And switching it off with htmx greys its row without leaving the page
    row.get_by_role("button", name=translated("Switch off", ZH)).click()
    expect(row.get_by_role("button", name=translated("Switch on", ZH))).to_be_visible()
