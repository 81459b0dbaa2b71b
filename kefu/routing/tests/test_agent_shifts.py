"""Per-agent shift hours: an agent's own calendar overrides the team's; assignment only gives tickets to
agents who are online and on their shift. Edited on /manage/users/<id>/ and in the Django admin."""

from datetime import UTC, datetime

import pytest

from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.audit.models import AuditEntry
from kefu.routing.services import assignment
from kefu.sla.tests.factories import BusinessCalendarFactory
from kefu.tests.factories import TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db

# Monday 2026-11-30 in Shanghai: 10:00, 20:00; and Thursday 2026-10-01 (National Day) at 10:00.
MORNING = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NATIONAL_DAY = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
WEEKDAYS = range(5)


def _calendar(name: str, start: str, end: str, china: bool = False):
    return BusinessCalendarFactory(
        name=name, time_zone="Asia/Shanghai", hours={str(d): [[start, end]] for d in WEEKDAYS},
        use_china_holidays=china,
    )


@pytest.fixture
def frozen(monkeypatch):
    def at(moment: datetime) -> None:
        monkeypatch.setattr("kefu.core.clock.now", lambda: moment)

    return at


@pytest.fixture
def day_team(front_line, agent, teammate):
    """A round-robin team on day shift (09–18) whose two agents are online."""
    front_line.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    front_line.shift_calendar = _calendar("白班", "09:00", "18:00")
    front_line.save()
    for user in (agent, teammate):
        user.presence = Presence.ONLINE
        user.save(update_fields=["presence"])
    return front_line


def _assigned(team, customer):
    ticket = TicketFactory(team=team, customer=customer)
    assignment.assign_new_ticket(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return ticket.assignee


def test_an_agent_on_an_evening_shift_gets_tickets_after_the_team_day_shift_ends(
    day_team, agent, teammate, customer, frozen
):
    agent.shift_calendar = _calendar("晚班", "14:00", "22:00")
    agent.save()
    frozen(EVENING)

    assert [_assigned(day_team, customer) for _ in range(2)] == [agent, agent]


def test_an_agent_whose_own_shift_has_not_begun_gets_nothing_while_the_team_shift_is_open(
    day_team, agent, teammate, customer, frozen
):
    agent.shift_calendar = _calendar("晚班", "14:00", "22:00")
    agent.save()
    frozen(MORNING)

    assert [_assigned(day_team, customer) for _ in range(2)] == [teammate, teammate]


def test_an_own_calendar_with_chinese_holidays_keeps_the_agent_out_on_national_day(
    front_line, agent, teammate, customer, frozen
):
    front_line.assignment_strategy = AssignmentStrategy.ROUND_ROBIN  # no team shift: whenever online
    front_line.save()
    agent.shift_calendar = _calendar("工作日", "09:00", "18:00", china=True)
    agent.save()
    for user in (agent, teammate):
        user.presence = Presence.ONLINE
        user.save(update_fields=["presence"])
    frozen(NATIONAL_DAY)

    assert _assigned(front_line, customer) == teammate


def test_on_shift_but_offline_still_gets_nothing(day_team, agent, teammate, customer, frozen):
    agent.shift_calendar = _calendar("晚班", "14:00", "22:00")
    agent.presence = Presence.OFFLINE
    agent.save()
    frozen(EVENING)

    assert _assigned(day_team, customer) is None


def test_the_pool_fills_when_an_agent_own_shift_begins(day_team, agent, customer, frozen):
    agent.shift_calendar = _calendar("晚班", "14:00", "22:00")
    agent.save()
    waiting = TicketFactory(team=day_team, customer=customer)
    other_team = TeamFactory(assignment_strategy=AssignmentStrategy.ROUND_ROBIN)

    frozen(datetime(2026, 11, 30, 14, 30, tzinfo=UTC))  # 22:30 in Shanghai: everyone is off
    assert assignment.fill_all_pools() == 0
    frozen(EVENING)
    assert assignment.fill_pool(team_id=day_team.pk) == 1
    waiting.refresh_from_db()
    assert waiting.assignee == agent
    assert assignment.fill_pool(team_id=other_team.pk) == 0


def test_a_supervisor_sets_an_agent_own_shift_hours_on_the_manage_page(client, supervisor, agent, front_line):
    evening = _calendar("晚班", "14:00", "22:00")
    client.force_login(supervisor)

    page = client.get(f"/manage/users/{agent.pk}/").content.decode()
    response = client.post(
        f"/manage/users/{agent.pk}/",
        {
            "username": agent.username,
            "display_name": agent.display_name,
            "roles": ["agent"],
            "teams": [front_line.pk],
            "level": "L1",
            "max_chats": "5",
            "is_active": "on",
            "shift_calendar": evening.pk,
        },
    )

    assert 'name="shift_calendar"' in page
    assert response.status_code == 302, response.content.decode()[:2000]
    agent.refresh_from_db()
    assert agent.shift_calendar == evening
    entry = AuditEntry.objects.filter(action="user.update").latest("id")
    assert entry.changes["shift_calendar"] == [None, "晚班"]


def test_the_django_admin_edits_an_agent_own_shift_hours(client, admin_user, agent):
    client.force_login(admin_user)

    page = client.get(f"/admin/accounts/user/{agent.pk}/change/")

    assert page.status_code == 200
    assert 'name="shift_calendar"' in page.content.decode()


def test_a_supervisor_names_the_l2_team_of_a_team_and_not_the_team_itself(client, supervisor, front_line, agent):
    experts = TeamFactory(name="专家组")
    client.force_login(supervisor)
    values = {"name": "接线组", "members": [agent.pk], "assignment_strategy": "manual", "max_open_per_agent": "0"}

    ok = client.post(f"/manage/teams/{front_line.pk}/", {**values, "escalation_team": experts.pk})
    front_line.refresh_from_db()
    refused = client.post(f"/manage/teams/{front_line.pk}/", {**values, "escalation_team": front_line.pk})

    assert ok.status_code == 302
    assert front_line.escalation_team == experts
    assert refused.status_code == 400
    front_line.refresh_from_db()
    assert front_line.escalation_team == experts
