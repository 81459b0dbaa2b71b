"""The ticket's assignee menu offers only people whose role works tickets, the ticket's team first."""

import pytest
from django.urls import reverse

from kefu.accounts import roles
from kefu.tests.factories import TicketFactory, UserFactory
from kefu.workspace.views.ticket import assignee_choices

pytestmark = pytest.mark.django_db


def test_read_only_roles_are_not_offered(supervisor, agent, outsider, ticket, front_line):
    """Analysts, QA inspectors and trainers (even in the team) and deactivated agents are left out."""
    analyst = UserFactory(roles=[roles.ANALYST], teams=[front_line])
    inspector = UserFactory(roles=[roles.QA_INSPECTOR], teams=[front_line])
    trainer = UserFactory(roles=[roles.TRAINER])
    gone = UserFactory(roles=[roles.AGENT], teams=[front_line], is_active=False)

    offered = list(assignee_choices(supervisor, ticket))

    assert agent in offered and outsider in offered and supervisor in offered
    assert not {analyst, inspector, trainer, gone} & set(offered)


def test_the_tickets_team_comes_first(supervisor, agent, outsider, ticket):
    """Members of the ticket's team are listed before everyone else, whatever their names."""
    early_name = UserFactory(roles=[roles.SENIOR_AGENT], display_name="Aaron")

    offered = list(assignee_choices(supervisor, ticket))

    team_part = offered[: offered.index(early_name)]
    assert agent in team_part and supervisor in team_part and outsider not in team_part


def test_a_current_assignee_who_cannot_work_is_still_shown(supervisor, ticket, front_line):
    """So the menu shows who has the ticket now (an older assignment) and the panel can move it on."""
    analyst = UserFactory(roles=[roles.ANALYST], teams=[front_line])
    ticket.assignee = analyst
    ticket.save()

    assert analyst in list(assignee_choices(supervisor, ticket))


def test_assigning_to_an_analyst_through_the_panel_is_refused(login, supervisor, ticket, front_line):
    """Even posted by hand, the service refuses: a 400 with a reason, the ticket unchanged."""
    analyst = UserFactory(roles=[roles.ANALYST], teams=[front_line], display_name="数据员")

    response = login(supervisor).post(
        reverse("workspace:update_fields", args=[ticket.pk]), {"assignee": analyst.pk, "initial-assignee": ""}
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_without_assign_permission_only_the_team_and_oneself_are_offered(
    agent, teammate, outsider, supervisor, customer, front_line
):
    """The menu's statement is built once per process: each ticket's team, assignee and the user still count."""
    assert not agent.has_perm("tickets.assign_ticket")
    team_ticket = TicketFactory(customer=customer, team=front_line)
    unrouted = TicketFactory(customer=customer, team=None, assignee=None)
    held = TicketFactory(customer=customer, team=None, assignee=outsider)

    assert set(assignee_choices(agent, team_ticket)) == {agent, teammate, supervisor}
    assert list(assignee_choices(agent, unrouted)) == [agent]
    assert set(assignee_choices(agent, held)) == {agent, outsider}
    assert outsider in set(assignee_choices(supervisor, unrouted))
