"""Outside business hours or with a full queue no chat starts; the visitor leaves a message: a ticket."""

from datetime import UTC, datetime

import pytest

from kefu.chat import services
from kefu.chat.models import Conversation
from kefu.sla.models import BusinessCalendar
from kefu.tickets.models import Ticket

SUNDAY_NOON_BEIJING = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
MONDAY_10_BEIJING = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def office_hours(site):
    site.calendar = BusinessCalendar.objects.create(name="办公时间", use_china_holidays=False)
    site.save()
    return site


def _at(monkeypatch, moment):
    monkeypatch.setattr("kefu.core.clock.now", lambda: moment)


def test_outside_business_hours_no_chat_starts_and_the_widget_is_told_why(office_hours, monkeypatch):
    _at(monkeypatch, SUNDAY_NOON_BEIJING)

    assert services.widget_config(site=office_hours, language="zh-hans")["offline"] == "closed"
    with pytest.raises(services.ChatUnavailable) as refused:
        services.start_conversation(site=office_hours, visitor_id="v1", text="在吗")
    assert refused.value.reason == "closed"
    assert not Conversation.objects.exists()


def test_within_business_hours_the_chat_starts(office_hours, monkeypatch):
    _at(monkeypatch, MONDAY_10_BEIJING)

    assert services.widget_config(site=office_hours, language="zh-hans")["offline"] == ""
    assert services.start_conversation(site=office_hours, visitor_id="v1", text="在吗").pk


def test_a_full_queue_turns_new_visitors_to_leaving_a_message(site):
    site.max_queue = 2
    site.save()
    services.start_conversation(site=site, visitor_id="v1", text="a")
    services.start_conversation(site=site, visitor_id="v2", text="b")

    with pytest.raises(services.ChatUnavailable) as refused:
        services.start_conversation(site=site, visitor_id="v3", text="c")

    assert refused.value.reason == "busy"


def test_a_left_message_becomes_one_ticket_even_when_sent_twice(site):
    first = services.leave_message(
        site=site, visitor_id="v1", text="明天请回电", name="陈小姐", email="chen@example.com", client_id="l1"
    )
    again = services.leave_message(
        site=site, visitor_id="v1", text="明天请回电", name="陈小姐", email="chen@example.com", client_id="l1"
    )

    assert first == again and Ticket.objects.count() == 1
    assert first.channel == "chat" and first.customer.name == "陈小姐"
    assert "明天请回电" in first.messages.get().body_text


@pytest.mark.parametrize(
    "contact", [{}, {"email": "nope"}, {"phone": "abc"}], ids=["nothing", "bad-email", "bad-phone"]
)
def test_a_left_message_needs_a_way_to_answer(site, contact):
    with pytest.raises(services.InvalidInput):
        services.leave_message(site=site, visitor_id="v1", text="hi", **contact)


def test_a_site_whose_calendar_cannot_be_read_still_serves_its_widget(site, monkeypatch):
    """A calendar stored past the forms with an unknown time zone is logged and counted as always open:
    the widget keeps working instead of failing every visitor."""
    site.calendar = BusinessCalendar.objects.create(
        name="坏日历", time_zone="Asia/Shangai", use_china_holidays=False
    )
    site.save()
    _at(monkeypatch, SUNDAY_NOON_BEIJING)

    assert services.widget_config(site=site, language="zh-hans")["offline"] == ""
