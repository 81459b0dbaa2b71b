"""Only agents on shift get tickets: online presence, active, in the team, within the team's shift hours."""

from datetime import UTC, datetime

import pytest

from kefu.accounts import services as accounts
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.routing import tasks
from kefu.routing.services import assignment
from kefu.sla.tests.factories import BusinessCalendarFactory
from kefu.tests.factories import TicketFactory

# Monday 2026-11-30, 10:00 and 20:00 in Shanghai.
MORNING = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def round_robin(front_line):
    front_line.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    front_line.save()
    return front_line


def _presence(user, presence):
    user.presence = presence
    user.save(update_fields=["presence"])


@pytest.mark.parametrize("presence", [Presence.AWAY, Presence.OFFLINE])
def test_agents_who_are_away_or_offline_get_nothing(round_robin, agent, teammate, customer, presence):
    _presence(agent, Presence.ONLINE)
    _presence(teammate, presence)
    tickets = TicketFactory.create_batch(2, team=round_robin, customer=customer)

    for ticket in tickets:
        assignment.assign_new_ticket(ticket_id=ticket.pk)

    assert {t.assignee for t in _reloaded(tickets)} == {agent}


def test_inactive_members_and_other_teams_agents_get_nothing(
    round_robin, agent, teammate, outsider, customer
):
    for user in (agent, teammate, outsider):
        _presence(user, Presence.ONLINE)
    agent.is_active = False
    agent.save()
    tickets = TicketFactory.create_batch(2, team=round_robin, customer=customer)

    for ticket in tickets:
        assignment.assign_new_ticket(ticket_id=ticket.pk)

    assert {t.assignee for t in _reloaded(tickets)} == {teammate}


def test_nobody_online_leaves_the_ticket_in_the_pool(round_robin, agent, customer):
    ticket = TicketFactory(team=round_robin, customer=customer)

    assert assignment.assign_new_ticket(ticket_id=ticket.pk) is None


def test_shift_hours_allow_assignment_only_while_the_team_works(round_robin, agent, customer):
    round_robin.shift_calendar = BusinessCalendarFactory(time_zone="Asia/Shanghai")  # Mon–Fri 09:00–18:00
    round_robin.save()
    _presence(agent, Presence.ONLINE)
    ticket = TicketFactory(team=round_robin, customer=customer)

    assert assignment.assign_new_ticket(ticket_id=ticket.pk, now=EVENING) is None
    assert assignment.assign_new_ticket(ticket_id=ticket.pk, now=MORNING).assignee == agent


def test_coming_online_takes_waiting_tickets_from_the_pool(
    round_robin, agent, customer, django_capture_on_commit_callbacks
):
    round_robin.max_open_per_agent = 2
    round_robin.save()
    tickets = TicketFactory.create_batch(3, team=round_robin, customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=agent, presence=Presence.ONLINE)

    assert [t.assignee for t in _reloaded(tickets)] == [agent, agent, None]  # oldest first, up to the cap


def test_solving_a_ticket_makes_room_for_the_next_one_in_the_pool(
    round_robin, agent, customer, django_capture_on_commit_callbacks
):
    from kefu.tickets.services import change_status

    round_robin.max_open_per_agent = 1
    round_robin.save()
    _presence(agent, Presence.ONLINE)
    held = TicketFactory(team=round_robin, customer=customer, assignee=agent)
    waiting = TicketFactory(team=round_robin, customer=customer)

    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=held, actor=agent, status="solved")

    assert _reloaded([waiting])[0].assignee == agent


def _reloaded(tickets):
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets


def test_the_periodic_job_assigns_the_pool_once_shift_hours_begin(round_robin, agent, customer):
    from kefu.config.celery import app

    round_robin.shift_calendar = BusinessCalendarFactory(time_zone="Asia/Shanghai")
    round_robin.save()
    _presence(agent, Presence.ONLINE)
    overnight = TicketFactory.create_batch(2, team=round_robin, customer=customer)

    assert assignment.fill_all_pools(now=EVENING) == 0
    assert assignment.fill_all_pools(now=MORNING) == 2

    assert {t.assignee for t in _reloaded(overnight)} == {agent}
    entry = app.conf.beat_schedule["routing-fill-pools"]
    assert app.tasks[entry["task"]].name == tasks.fill_pools.name


def test_a_new_ticket_waits_behind_older_ones_in_the_pool(
    round_robin, agent, customer, django_capture_on_commit_callbacks
):
    from kefu.tickets.services import create_ticket

    round_robin.max_open_per_agent = 1
    round_robin.save()
    older = TicketFactory(team=round_robin, customer=customer)  # arrived while nobody was online
    _presence(agent, Presence.ONLINE)

    with django_capture_on_commit_callbacks(execute=True):
        newer = create_ticket(
            customer=customer, subject="又一个问题", text="…", channel="web", team=round_robin
        )

    assert [t.assignee for t in _reloaded([older, newer])] == [agent, None]
