"""An agent going offline or over the cap gives back their unstarted tickets, which are re-assigned."""

import pytest
from django.utils import translation

from kefu.accounts import roles
from kefu.accounts import services as accounts
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.routing.services import assignment
from kefu.tests.factories import TicketFactory, UserFactory
from kefu.tickets.models import Message, MessageKind, Status
from kefu.tickets.services import add_reply, assign_ticket
from kefu.workspace.timeline import describe_event


@pytest.fixture
def online(front_line, agent, teammate):
    front_line.assignment_strategy = AssignmentStrategy.LEAST_OPEN
    front_line.save()
    for user in (agent, teammate):
        user.presence = Presence.ONLINE
        user.save(update_fields=["presence"])
    return agent, teammate


def test_going_offline_hands_unstarted_tickets_to_a_teammate(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    agent, teammate = online
    unstarted = TicketFactory.create_batch(2, team=front_line, customer=customer, assignee=agent)
    answered = TicketFactory(team=front_line, customer=customer, assignee=agent)
    add_reply(ticket=answered, actor=agent, text="正在处理")

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=agent, presence=Presence.OFFLINE)

    assert [t.assignee for t in _reloaded(unstarted)] == [teammate, teammate]
    assert _reloaded([answered])[0].assignee == agent  # work in progress stays with its agent
    released = Message.objects.filter(ticket=unstarted[0], kind=MessageKind.EVENT).order_by("pk")
    with translation.override("en"):
        texts = [describe_event(m) for m in released]
    assert texts[-2:] == [
        "System returned the ticket to the team's queue: 王芳 went offline",
        "System assigned the ticket to 李娜 (Fewest open tickets)",
    ]


def test_going_offline_with_nobody_else_on_shift_leaves_tickets_in_the_pool(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    agent, teammate = online
    accounts.set_presence(user=teammate, presence=Presence.OFFLINE)
    ticket = TicketFactory(team=front_line, customer=customer, assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=agent, presence=Presence.OFFLINE)

    assert _reloaded([ticket])[0].assignee is None
    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=teammate, presence=Presence.ONLINE)
    assert _reloaded([ticket])[0].assignee == teammate


def test_going_away_keeps_the_tickets(front_line, online, customer, django_capture_on_commit_callbacks):
    agent, _teammate = online
    ticket = TicketFactory(team=front_line, customer=customer, assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=agent, presence=Presence.AWAY)

    assert _reloaded([ticket])[0].assignee == agent


def test_manual_teams_keep_their_assignments_when_the_agent_leaves(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    agent, _teammate = online
    front_line.assignment_strategy = AssignmentStrategy.MANUAL
    front_line.save()
    ticket = TicketFactory(team=front_line, customer=customer, assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_presence(user=agent, presence=Presence.OFFLINE)

    assert _reloaded([ticket])[0].assignee == agent


def test_a_deactivated_agent_gives_back_their_unstarted_tickets(
    front_line, online, customer, admin_user, django_capture_on_commit_callbacks
):
    agent, teammate = online
    ticket = TicketFactory(team=front_line, customer=customer, assignee=agent)

    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_user_active(actor=admin_user, user=agent, active=False)

    assert _reloaded([ticket])[0].assignee == teammate


def test_an_agent_pushed_over_the_cap_by_hand_spills_the_newest_unstarted_ticket(
    front_line, online, customer, django_capture_on_commit_callbacks
):
    agent, teammate = online
    front_line.max_open_per_agent = 2
    front_line.save()
    supervisor = UserFactory(roles=[roles.SUPERVISOR], teams=[front_line])
    older, newer = (TicketFactory(team=front_line, customer=customer, assignee=agent) for _ in range(2))
    urgent = TicketFactory(team=front_line, customer=customer, status=Status.OPEN)

    with django_capture_on_commit_callbacks(execute=True):
        assign_ticket(ticket=urgent, actor=supervisor, assignee=agent)

    older, newer, urgent = _reloaded([older, newer, urgent])
    assert (older.assignee, newer.assignee, urgent.assignee) == (agent, teammate, agent)
    assert assignment.open_load(agent.pk) == 2


def _reloaded(tickets):
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets


def test_lowering_the_cap_spills_the_excess_at_the_next_periodic_run(front_line, online, customer):
    agent, teammate = online
    held = [TicketFactory(team=front_line, customer=customer, assignee=agent) for _ in range(3)]
    front_line.max_open_per_agent = 2
    front_line.save()

    assignment.fill_all_pools()

    assert [t.assignee for t in _reloaded(held)] == [agent, agent, teammate]
