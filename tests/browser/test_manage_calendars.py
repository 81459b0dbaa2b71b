"""A supervisor creates a business calendar with a 调休 working day in /manage/ and finds it in the list."""

import pytest
from playwright.sync_api import expect

from kefu.sla.models import CalendarDate

pytestmark = pytest.mark.browser

ZH = "zh-hans"


def test_supervisor_creates_a_calendar_with_a_tiaoxiu_day(supervisor, browser_page, translated, screenshot):
    # Given a supervisor in /manage/, following the navigation to the calendars
    page = browser_page(locale="zh-CN", user=supervisor)
    page.goto("/manage/")
    page.locator("nav.manage-nav").get_by_role("link", name=translated("Business calendars", ZH)).click()
    page.get_by_role("link", name=translated("Add calendar", ZH)).click()

    # When she names it, splits Monday around lunch and adds a Saturday make-up working day
    page.locator("#id_name").fill("上海客服中心")
    page.locator("#id_hours_0").fill("09:00-12:00, 13:30-18:00")
    page.locator("#id_dates-0-date").fill("2026-12-05")
    page.locator("#id_dates-0-kind").select_option("work")
    page.locator("#id_dates-0-note").fill("调休上班")
    # (a fourth day needs one more row: htmx brings it without losing what is typed)
    page.get_by_role("button", name=translated("Add a day", ZH)).click()
    page.locator("#id_dates-3-date").fill("2026-12-31")
    page.locator("#id_dates-3-note").fill("年终盘点")
    expect(page.locator("#id_dates-0-note")).to_have_value("调休上班")
    page.get_by_role("button", name=translated("Save", ZH)).click()

    # Then the list shows it, not in use yet, and the 调休 day is stored as a working day
    row = page.locator("#calendars tr", has_text="上海客服中心")
    expect(row).to_contain_text("Asia/Shanghai")
    expect(row).to_contain_text(translated("Not in use", ZH))
    days = CalendarDate.objects.filter(calendar__name="上海客服中心")
    assert [(d.is_working_day, d.note) for d in days] == [(True, "调休上班"), (False, "年终盘点")]
    screenshot(page, "manage-calendars")

    # And its page says whether it is open now, and shows the 调休 day back in its row
    row.get_by_role("link", name="上海客服中心").click()
    expect(page.locator("#calendar-opening")).to_be_visible()
    expect(page.locator("#id_dates-0-date")).to_have_value("2026-12-05")
    expect(page.locator("#id_dates-0-note")).to_have_value("调休上班")
    screenshot(page, "manage-calendar-edit")
