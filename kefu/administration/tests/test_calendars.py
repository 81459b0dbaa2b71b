"""Managing business calendars on /manage/calendars/: list, create, edit, refuse bad input, delete unused."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from kefu.audit.models import AuditEntry
from kefu.sla.models import BusinessCalendar, CalendarDate
from kefu.sla.tests.factories import BusinessCalendarFactory, SlaPolicyFactory
from kefu.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EMPTY_DATES = {"dates-TOTAL_FORMS": "3", "dates-INITIAL_FORMS": "0"}


@pytest.fixture
def client() -> Client:
    """Pages read in English here (the Chinese wording has its own test)."""
    return Client(headers={"Accept-Language": "en"})


def _post(**overrides) -> dict:
    data = {
        "name": "客服中心",
        "time_zone": "Asia/Shanghai",
        "use_china_holidays": "on",
        "hours_0": "09:00-12:00, 13:30-18:00",
        "hours_4": "09:00–18:00",
        **EMPTY_DATES,
        "dates-0-date": "2026-12-05",
        "dates-0-kind": "work",
        "dates-0-note": "调休上班",
        "dates-1-kind": "off",
        "dates-2-kind": "off",
    }
    data.update(overrides)
    return data


def test_supervisor_creates_a_calendar_with_split_hours_and_a_tiaoxiu_day(client, supervisor):
    """The weekday texts become sorted ranges; the 调休 row becomes a working day; it is audited."""
    client.force_login(supervisor)

    response = client.post("/manage/calendars/new/", _post())

    assert response.status_code == 302 and response["Location"] == "/manage/calendars/"
    calendar = BusinessCalendar.objects.get(name="客服中心")
    assert calendar.hours == {"0": [["09:00", "12:00"], ["13:30", "18:00"]], "4": [["09:00", "18:00"]]}
    assert calendar.use_china_holidays and not calendar.always_open
    day = CalendarDate.objects.get(calendar=calendar)
    assert (day.date, day.is_working_day, day.note) == (date(2026, 12, 5), True, "调休上班")
    assert AuditEntry.objects.filter(action="businesscalendar.create", actor=supervisor).exists()


def test_editing_shows_the_stored_calendar_and_removes_a_ticked_day(client, supervisor):
    """The form is filled from the calendar; a row ticked for removal is deleted on save."""
    calendar = BusinessCalendarFactory(name="客服中心", hours={"1": [["08:00", "17:00"]]})
    CalendarDate.objects.create(calendar=calendar, date=date(2026, 12, 1), note="年会")
    client.force_login(supervisor)

    page = client.get(f"/manage/calendars/{calendar.pk}/")
    response = client.post(
        f"/manage/calendars/{calendar.pk}/",
        _post(
            **{"dates-TOTAL_FORMS": "2", "dates-INITIAL_FORMS": "1"},
            **{"dates-0-date": "2026-12-01", "dates-0-kind": "off", "dates-0-DELETE": "on"},
            **{"dates-1-date": "", "dates-1-kind": "off", "dates-1-note": ""},
        ),
    )

    assert page.context["form"].initial["hours_1"] == "08:00-17:00"
    assert page.context["dates"].forms[0].initial["note"] == "年会"
    assert 'value="2026-12-01"' in page.content.decode()  # a date input takes the ISO form only
    assert response.status_code == 302
    assert not CalendarDate.objects.filter(calendar=calendar).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hours_0": "09:00-12:00, 11:00-13:00"}, "hours_0", "overlap"),
        ({"hours_2": "18:00-09:00"}, "hours_2", "ends before it starts"),
        ({"hours_3": "nine to five"}, "hours_3", "09:00-18:00"),
        ({"hours_3": "25:00-26:00"}, "hours_3", "is not a time"),
        ({"time_zone": "Asia/Atlantis"}, "time_zone", "Unknown time zone"),
    ],
)
def test_bad_hours_and_time_zones_are_form_errors(client, supervisor, overrides, field, message):
    """Overlapping ranges, a range ending before it starts, gibberish, an unknown time zone: 400, nothing saved."""
    client.force_login(supervisor)

    response = client.post("/manage/calendars/new/", _post(**overrides))

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not BusinessCalendar.objects.exists()


def test_a_malformed_or_repeated_date_is_a_form_error(client, supervisor):
    """A date that is not a date errs on its row; the same date twice errs on the form."""
    client.force_login(supervisor)

    malformed = client.post("/manage/calendars/new/", _post(**{"dates-0-date": "2026-02-30"}))
    repeated = client.post(
        "/manage/calendars/new/", _post(**{"dates-1-date": "2026-12-05", "dates-1-kind": "off"})
    )

    assert malformed.status_code == 400 and malformed.context["dates"].forms[0].errors["date"]
    assert repeated.status_code == 400
    assert "2026-12-05 is listed twice." in repeated.context["form"].non_field_errors()
    assert not BusinessCalendar.objects.exists()


def test_the_list_shows_who_uses_each_calendar_in_a_fixed_number_of_queries(
    client, supervisor, django_assert_num_queries
):
    """Teams, agents, policies and chat sites are counted per calendar without a query per row."""
    used = BusinessCalendarFactory(name="工作日")
    BusinessCalendarFactory(name="全天候", always_open=True)
    TeamFactory(shift_calendar=used)
    SlaPolicyFactory(calendar=used)
    SlaPolicyFactory(calendar=used)
    client.force_login(supervisor)

    # user, permissions (one query: the shared staff gate loads them), messages …, the calendars, then one
    # count per kind of user (the session comes from the cache)
    with django_assert_num_queries(8):
        response = client.get("/manage/calendars/")

    usage = {calendar.name: u for calendar, u in response.context["rows"]}
    assert (usage["工作日"].teams, usage["工作日"].policies, usage["全天候"].total) == (1, 2, 0)
    assert "1 teams, 0 agents, 2 SLA policies, 0 chat sites" in response.content.decode()


def test_the_edit_page_says_closed_now_and_when_it_opens_next(client, supervisor, monkeypatch):
    """On a Monday evening in Shanghai, a weekday calendar is closed and opens on Tuesday at 09:00."""
    calendar = BusinessCalendarFactory(hours={str(d): [["09:00", "18:00"]] for d in range(5)})
    monkeypatch.setattr("kefu.core.clock.now", lambda: datetime(2026, 11, 30, 20, tzinfo=SHANGHAI))
    client.force_login(supervisor)

    response = client.get(f"/manage/calendars/{calendar.pk}/")

    assert response.context["opening"].next_open == datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
    body = response.content.decode()
    assert "Closed now" in body and "opens next on Tuesday 2026-12-01 09:00" in body


def test_the_edit_page_says_open_now_in_chinese(supervisor, monkeypatch):
    """During opening hours the page says 营业中 with the closing time, in the reader's language."""
    calendar = BusinessCalendarFactory(hours={"0": [["09:00", "18:00"]]})
    monkeypatch.setattr("kefu.core.clock.now", lambda: datetime(2026, 11, 30, 10, tzinfo=SHANGHAI))
    zh_client = Client(headers={"Accept-Language": "zh-hans"})
    zh_client.force_login(supervisor)

    response = zh_client.get(f"/manage/calendars/{calendar.pk}/")

    assert "营业中" in response.content.decode() and "2026-11-30 18:00" in response.content.decode()


def test_a_calendar_in_use_is_not_deleted(client, supervisor):
    """Deleting a calendar a team uses shows why and keeps it; an unused one is deleted."""
    used, unused = BusinessCalendarFactory(), BusinessCalendarFactory()
    TeamFactory(shift_calendar=used)
    client.force_login(supervisor)

    refused = client.post(f"/manage/calendars/{used.pk}/delete/", follow=True)
    deleted = client.post(f"/manage/calendars/{unused.pk}/delete/")

    assert "still used by 1 teams" in refused.content.decode()
    assert BusinessCalendar.objects.filter(pk=used.pk).exists()
    assert deleted.status_code == 302 and not BusinessCalendar.objects.filter(pk=unused.pk).exists()


def test_agents_and_outsiders_cannot_change_calendars(client, agent, outsider):
    """Without accounts.manage_configuration every calendar page and write is refused."""
    calendar = BusinessCalendarFactory()
    for user in (agent, outsider):
        client.force_login(user)
        assert client.get("/manage/calendars/").status_code == 403
        assert client.post("/manage/calendars/new/", _post()).status_code == 403
        assert client.post(f"/manage/calendars/{calendar.pk}/delete/").status_code == 403
    assert BusinessCalendar.objects.count() == 1


def test_adding_a_day_row_keeps_what_was_typed_and_saves_nothing(client, supervisor):
    """ "Add a day" answers htmx with the custom-day table alone, one empty row more; without htmx, the page."""
    client.force_login(supervisor)

    partial = client.post("/manage/calendars/new/", _post(add_day="1"), headers={"HX-Request": "true"})
    unticked = _post(add_day="1")
    del unticked["use_china_holidays"]  # an unticked box is not posted
    page = client.post("/manage/calendars/new/", unticked)

    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert 'name="dates-3-date"' in body and 'value="调休上班"' in body and "is required" not in body
    assert page.status_code == 200 and 'name="dates-3-date"' in page.content.decode()
    assert page.context["form"].initial["name"] == "客服中心"
    assert page.context["form"].initial["use_china_holidays"] is False
    assert not BusinessCalendar.objects.exists()


def test_tampered_or_malformed_input_never_fails_the_page(client, supervisor):
    """A broken management form, a bad row count or hours stored malformed elsewhere: answers, never a 500."""
    broken = BusinessCalendarFactory(hours={"0": "09:00-18:00", "x": 5})
    client.force_login(supervisor)

    no_management = client.post("/manage/calendars/new/", {"name": "x", "time_zone": "Asia/Shanghai"})
    bad_count = client.post("/manage/calendars/new/", _post(add_day="1", **{"dates-TOTAL_FORMS": "many"}))
    stored_badly = client.get(f"/manage/calendars/{broken.pk}/")
    missing = client.get("/manage/calendars/999999/")

    assert no_management.status_code == 400 and not BusinessCalendar.objects.filter(name="x").exists()
    assert bad_count.status_code == 200
    assert stored_badly.status_code == 200 and stored_badly.context["opening"] is None
    assert missing.status_code == 404


def test_calendar_changes_can_be_found_in_the_audit_log(client, supervisor):
    """The audit page offers business calendars as an object type and lists their changes under it."""
    client.force_login(supervisor)
    client.post("/manage/calendars/new/", _post())

    response = client.get("/manage/audit/", {"type": "sla.businesscalendar"})

    assert ("sla.businesscalendar", "business calendar") in response.context["object_types"]
    assert [entry.action for entry, _name, _action, _changes in response.context["rows"]] == [
        "businesscalendar.create"
    ]
