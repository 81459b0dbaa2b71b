"""The agent who had an escalated ticket is told where it went — by number and names only when the move to
an L2 team took their access away (kefu.routing.services.escalation.handover_params)."""

import pytest
from django.test import Client
from django.utils import translation

from kefu.accounts import roles
from kefu.accounts.models import AssignmentStrategy, Presence
from kefu.notifications.models import Kind, Notification
from kefu.notifications.texts import describe
from kefu.sla.services import escalate_ticket
from kefu.tests.factories import TeamFactory, UserFactory
from kefu.tickets.access import can_view_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(ticket, agent):
    ticket.assignee = agent
    ticket.subject = "退款纠纷：订单 8812"
    ticket.save()
    return ticket


@pytest.fixture
def experts(front_line):
    """A separate L2 team the front line escalates to."""
    team = TeamFactory(name="专家组", name_en="Experts", assignment_strategy=AssignmentStrategy.ROUND_ROBIN)
    front_line.escalation_team = team
    front_line.save()
    return team


def _sentence(note: Notification, language: str = "en") -> str:
    with translation.override(language):
        return describe(note)


def test_an_agent_whose_ticket_went_to_an_l2_team_is_told_where_without_a_link_or_its_content(
    held, agent, experts, outsider, django_capture_on_commit_callbacks
):
    """She escalated it herself and lost access: the notice names the team and person, not the subject."""
    expert = UserFactory(display_name="周专家", teams=[experts], presence=Presence.ONLINE)

    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=held, actor=agent, reason="客户威胁投诉到消协")

    held.refresh_from_db()
    assert (held.team, held.assignee) == (experts, expert) and not can_view_ticket(agent, held)
    note = Notification.objects.get(recipient=agent)
    assert note.kind == Kind.ESCALATED and note.ticket is None and note.actor is None
    text = _sentence(note)
    assert (
        text == f"Ticket #{held.pk} you had went to Level 2 (senior agents): now with 周专家 in team Experts"
    )
    assert "退款" not in str(note.params) and "消协" not in str(note.params)
    assert "专家组" in _sentence(note, "zh-hans")
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_the_notifications_page_shows_the_notice_without_a_link_to_the_ticket(
    held, agent, experts, django_capture_on_commit_callbacks
):
    """The bell's page lists it as plain text: no link she could not open."""
    UserFactory(teams=[experts], presence=Presence.ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=held, actor=agent, reason="x")
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(agent)

    body = client.get("/agent/notifications/").content.decode()

    assert f"Ticket #{held.pk} you had went to" in body
    assert f"/agent/tickets/{held.pk}/" not in body


def test_with_nobody_on_shift_in_the_l2_team_she_hears_it_waits_in_its_queue(
    held, agent, experts, django_capture_on_commit_callbacks
):
    """No expert online: the ticket waits unassigned in the L2 team's queue, and the notice says so."""
    UserFactory(teams=[experts], presence=Presence.OFFLINE)

    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=held, actor=None, reason="sla:resolution")

    note = Notification.objects.get(recipient=agent)
    assert (
        _sentence(note)
        == f"Ticket #{held.pk} you had went to Level 2 (senior agents): waiting in the queue of team Experts"
    )


def test_an_agent_who_keeps_access_gets_one_notice_with_the_ticket(
    held, agent, front_line, django_capture_on_commit_callbacks
):
    """Escalated by the SLA to a senior of her own team: one notice, linked to the ticket she still sees."""
    senior = UserFactory(
        display_name="赵高级",
        roles=[roles.SENIOR_AGENT],
        teams=[front_line],
        level="L2",
        presence=Presence.ONLINE,
    )

    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=held, actor=None, reason="sla:resolution")

    note = Notification.objects.get(recipient=agent)
    assert note.ticket == held
    assert (
        _sentence(note)
        == f"Ticket #{held.pk} you had went to Level 2 (senior agents): now with 赵高级 in team Front line"
    )
    assert Notification.objects.filter(recipient=senior, kind=Kind.ESCALATED, ticket=held).exists()
