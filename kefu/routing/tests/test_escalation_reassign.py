"""An escalated ticket moves to the next level's people: L2 seniors (or the L2 team), then supervisors."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.notifications.models import Kind, Notification
from kefu.routing.services import assignment
from kefu.routing.services.escalation import route_escalation
from kefu.sla.models import Escalation, Level, SlaTarget
from kefu.sla.services import escalate_on_breach, escalate_ticket
from kefu.tests.factories import CategoryFactory, TeamFactory, TicketFactory, UserFactory
from kefu.tickets.models import Message, Status
from kefu.workspace.timeline import describe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def senior(front_line):
    return UserFactory(
        username="senior", display_name="赵高级", roles=[roles.SENIOR_AGENT], teams=[front_line], level="L2",
        presence=Presence.ONLINE,
    )


@pytest.fixture
def held(ticket, agent):
    """The front line's ticket, held by its L1 agent."""
    ticket.assignee = agent
    ticket.save()
    return ticket


def _login(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def _routed_sentence(ticket) -> str:
    event = Message.objects.get(ticket=ticket, event_type="escalation_routed")
    with translation.override("en"):
        return describe_event(event)


def test_one_click_escalation_hands_the_ticket_to_an_online_senior_who_is_told(
    held, agent, senior, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(agent).post(reverse("workspace:escalate", args=[held.pk]), {"reason": "客户要求专家"})

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.assignee == senior
    escalation = Escalation.objects.get(ticket=held)
    assert (escalation.from_assignee, escalation.to_assignee) == (agent, senior)
    assert escalation.routed_at is not None
    assert _routed_sentence(held) == "Escalated to Level 2 (senior agents): handed to 赵高级 (was with 王芳)"
    assert Notification.objects.filter(recipient=senior, kind=Kind.ESCALATED, ticket=held).exists()


def test_the_team_strategy_picks_among_seniors_and_never_an_l1_agent(front_line, held, agent, teammate, senior):
    front_line.assignment_strategy = AssignmentStrategy.LEAST_OPEN
    front_line.save()
    other_senior = UserFactory(teams=[front_line], level="L3", presence=Presence.ONLINE)
    TicketFactory(team=front_line, assignee=senior)  # the first senior is busier
    teammate.presence = Presence.ONLINE
    teammate.save()

    escalation = escalate_ticket(ticket=held, actor=agent, reason="x")
    route_escalation(escalation_id=escalation.pk)

    held.refresh_from_db()
    assert held.assignee == other_senior


def test_a_second_escalation_goes_to_an_online_supervisor(held, agent, senior, supervisor):
    supervisor.presence = Presence.ONLINE
    supervisor.save()
    first = escalate_ticket(ticket=held, actor=agent, reason="x")
    route_escalation(escalation_id=first.pk)

    second = escalate_ticket(ticket=held, actor=senior, reason="客户投诉升级")
    route_escalation(escalation_id=second.pk)

    held.refresh_from_db()
    assert held.assignee == supervisor
    assert Escalation.objects.get(pk=second.pk).to_assignee == supervisor


def test_with_no_supervisor_online_the_team_lead_takes_it(front_line, held, agent, supervisor):
    lead = UserFactory(display_name="组长", teams=[front_line], presence=Presence.OFFLINE)
    front_line.lead = lead
    front_line.save()

    escalation = escalate_ticket(ticket=held, actor=agent, reason="x", to_level=Level.SUPERVISOR)
    route_escalation(escalation_id=escalation.pk)

    held.refresh_from_db()
    assert held.assignee == lead


def test_with_no_senior_on_shift_the_ticket_stays_with_its_agent_and_the_timeline_says_so(held, agent, senior):
    senior.presence = Presence.OFFLINE
    senior.save()

    escalation = escalate_ticket(ticket=held, actor=agent, reason="x")
    route_escalation(escalation_id=escalation.pk)

    held.refresh_from_db()
    assert held.assignee == agent
    assert "nobody at that level is on shift, the ticket stays with 王芳" in _routed_sentence(held)


def test_a_configured_l2_team_receives_the_ticket_by_its_own_strategy(front_line, held, agent, customer):
    experts = TeamFactory(name="专家组", name_en="Experts", assignment_strategy=AssignmentStrategy.ROUND_ROBIN)
    first, second = (UserFactory(teams=[experts], presence=Presence.ONLINE) for _ in range(2))
    front_line.escalation_team = experts
    front_line.save()
    other = TicketFactory(team=front_line, customer=customer, assignee=agent)

    for ticket in (held, other):
        route_escalation(escalation_id=escalate_ticket(ticket=ticket, actor=agent, reason="x").pk)

    held.refresh_from_db()
    other.refresh_from_db()
    assert (held.team, other.team) == (experts, experts)
    assert [held.assignee, other.assignee] == [first, second]  # round-robin inside the L2 team
    assert "moved to team Experts and handed to" in _routed_sentence(held)


def test_an_l2_team_with_nobody_online_keeps_the_ticket_in_its_queue(front_line, held, agent):
    experts = TeamFactory(name="专家组", name_en="Experts", assignment_strategy=AssignmentStrategy.ROUND_ROBIN)
    expert = UserFactory(teams=[experts], presence=Presence.OFFLINE)
    front_line.escalation_team = experts
    front_line.save()

    route_escalation(escalation_id=escalate_ticket(ticket=held, actor=agent, reason="x").pk)
    held.refresh_from_db()
    assert (held.team, held.assignee) == (experts, None)

    expert.presence = Presence.ONLINE
    expert.save()
    assignment.fill_pool(team_id=experts.pk)
    held.refresh_from_db()
    assert held.assignee == expert


def test_a_supervisor_may_name_who_takes_the_escalated_ticket(login_as_supervisor, held, teammate, senior):
    response = login_as_supervisor.post(
        reverse("workspace:escalate", args=[held.pk]), {"reason": "指定处理", "assignee": teammate.pk}
    )

    assert response.status_code == 302
    held.refresh_from_db()
    escalation = Escalation.objects.get(ticket=held)
    assert held.assignee == teammate and escalation.to_assignee == teammate
    assert route_escalation(escalation_id=escalation.pk) is None  # routing leaves the choice alone
    held.refresh_from_db()
    assert held.assignee == teammate


def test_an_agent_cannot_name_who_takes_the_escalated_ticket(held, agent, teammate):
    response = _login(agent).post(
        reverse("workspace:escalate", args=[held.pk]), {"reason": "x", "assignee": teammate.pk}
    )

    assert response.status_code == 403
    assert not Escalation.objects.exists()


def test_a_reassignment_before_routing_runs_wins(held, agent, senior, supervisor, teammate):
    escalation = escalate_ticket(ticket=held, actor=agent, reason="x")
    from kefu.tickets.services import assign_ticket

    assign_ticket(ticket=held, actor=supervisor, assignee=teammate)

    route_escalation(escalation_id=escalation.pk)
    held.refresh_from_db()
    assert held.assignee == teammate


def test_a_retried_event_routes_the_escalation_once(held, agent, senior):
    escalation = escalate_ticket(ticket=held, actor=agent, reason="x")

    assert route_escalation(escalation_id=escalation.pk) is not None
    assert route_escalation(escalation_id=escalation.pk) is None
    assert Message.objects.filter(ticket=held, event_type="escalation_routed").count() == 1


def test_a_breached_complaint_escalates_automatically_to_a_senior_and_the_agent_who_had_it_is_told(
    held, agent, senior, django_capture_on_commit_callbacks
):
    held.category = CategoryFactory(code="complaint", name="投诉", name_en="Complaint")
    held.save()

    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalate_on_breach(ticket_id=held.pk, target=SlaTarget.FIRST_RESPONSE)

    held.refresh_from_db()
    assert escalation.actor is None and escalation.to_level == Level.L2
    assert held.assignee == senior
    # The agent who had it is no longer its assignee but still hears of the escalation.
    assert Notification.objects.filter(recipient=agent, kind=Kind.ESCALATED, ticket=held).exists()


def test_a_solved_ticket_is_not_handed_on(held, agent, senior):
    escalation = escalate_ticket(ticket=held, actor=agent, reason="x")
    held.status = Status.SOLVED
    held.save()

    route_escalation(escalation_id=escalation.pk)
    held.refresh_from_db()
    assert held.assignee == agent


def test_an_escalated_ticket_given_back_waits_for_its_level_while_others_are_served(
    front_line, held, agent, senior, teammate, customer
):
    front_line.assignment_strategy = AssignmentStrategy.ROUND_ROBIN
    front_line.save()
    route_escalation(escalation_id=escalate_ticket(ticket=held, actor=agent, reason="x").pk)
    held.refresh_from_db()
    assert held.assignee == senior
    teammate.presence = Presence.ONLINE
    teammate.save()
    newer = TicketFactory(team=front_line, customer=customer)

    senior.presence = Presence.OFFLINE  # the senior went offline before answering
    senior.save()
    assert assignment.release_agent(user_id=senior.pk) == 1
    assignment.fill_pool(team_id=front_line.pk)

    held.refresh_from_db()
    newer.refresh_from_db()
    assert held.assignee is None  # not handed to an L1 agent
    assert newer.assignee is not None and newer.assignee.level == "L1"


@pytest.fixture
def login_as_supervisor(supervisor):
    return _login(supervisor)
