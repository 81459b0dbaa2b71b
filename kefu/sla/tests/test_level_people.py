"""Who serves a service level: one definition (kefu.sla.services.level_people) for assignment, escalation
routing and the escalation's notifications (escalation_targets)."""

import pytest

from kefu.accounts import roles
from kefu.routing.services import assignment
from kefu.sla.models import Level
from kefu.sla.services import escalation_targets, level_people
from kefu.tests.factories import TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(front_line):
    """The front line: a lead, an agent, a senior by role, a senior by level, a supervisor, a former senior."""
    lead = UserFactory(roles=[roles.AGENT], teams=[front_line])
    front_line.lead = lead
    front_line.save()
    return {
        "lead": lead,
        "agent": UserFactory(roles=[roles.AGENT], teams=[front_line]),
        "senior": UserFactory(roles=[roles.SENIOR_AGENT], teams=[front_line]),
        "l3": UserFactory(roles=[roles.AGENT], teams=[front_line], level="L3"),
        "supervisor": UserFactory(roles=[roles.SUPERVISOR], teams=[front_line]),
        "gone": UserFactory(roles=[roles.SENIOR_AGENT], teams=[front_line], is_active=False),
    }


def test_l1_is_every_member(front_line, desk):
    assert level_people(front_line, Level.L1) is None


def test_l2_is_the_teams_active_senior_agents_by_role_or_level(front_line, desk):
    assert level_people(front_line, Level.L2) == sorted([desk["senior"].pk, desk["l3"].pk])


def test_a_team_named_as_another_teams_l2_team_is_all_l2(front_line, desk):
    TeamFactory(escalation_team=front_line)
    assert level_people(front_line, Level.L2) is None


def test_supervisor_level_is_the_teams_supervisors_and_its_lead(front_line, desk):
    assert level_people(front_line, Level.SUPERVISOR) == sorted([desk["supervisor"].pk, desk["lead"].pk])


def test_assignment_uses_the_same_definition(front_line, desk):
    """Routing's assignment and escalation routing read the level's people from kefu.sla."""
    assert assignment.level_people is level_people


def test_escalation_to_l2_tells_the_level_people_and_the_lead(front_line, desk, customer):
    ticket = TicketFactory(customer=customer, team=front_line)
    told = {user.pk for user in escalation_targets(ticket, Level.L2)}
    assert told == {desk["senior"].pk, desk["l3"].pk, desk["lead"].pk}


def test_escalation_to_an_l2_team_tells_all_its_members_as_assignment_serves_them(front_line, desk, customer):
    """An L2 team's members all take escalated tickets, so all hear of them (not only its seniors)."""
    TeamFactory(escalation_team=front_line)
    ticket = TicketFactory(customer=customer, team=front_line)
    told = {user.pk for user in escalation_targets(ticket, Level.L2)}
    active = {user.pk for key, user in desk.items() if key != "gone"}
    assert told == active


def test_escalation_to_supervisors_tells_the_teams_supervisors_and_lead(front_line, desk, customer):
    ticket = TicketFactory(customer=customer, team=front_line)
    told = {user.pk for user in escalation_targets(ticket, Level.SUPERVISOR)}
    assert told == {desk["supervisor"].pk, desk["lead"].pk}


def test_escalation_with_nobody_at_the_level_tells_every_supervisor(other_team, desk, customer):
    ticket = TicketFactory(customer=customer, team=other_team)
    assert [user.pk for user in escalation_targets(ticket, Level.L2)] == [desk["supervisor"].pk]
