"""Who is notified of what: assignee, team lead, escalation targets, supervisors — never the actor, and
never someone who may not see the ticket."""

import pytest

from kefu.notifications.models import Kind, Notification
from kefu.notifications.services import notify
from kefu.sla.events import SlaBreached, SlaWarned
from kefu.sla.models import Level, SlaTarget
from kefu.sla.services import escalate_ticket
from kefu.tickets.services import TicketChanges, add_customer_message, add_note, update_ticket

pytestmark = pytest.mark.django_db


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _emit(event, capture) -> None:
    from kefu.core.events import emit

    with capture(execute=True):
        emit(event)


def test_assigning_a_ticket_notifies_the_new_assignee_only(
    ticket, agent, teammate, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_ticket(ticket=ticket, actor=supervisor, changes=TicketChanges(assignee=teammate))

    note = Notification.objects.get(kind=Kind.ASSIGNED)
    assert note.recipient == teammate and note.actor == supervisor and note.ticket == ticket


def test_taking_a_ticket_yourself_notifies_nobody(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(assignee=agent))

    assert not Notification.objects.exists()


def test_an_sla_warning_goes_to_the_assignee_and_the_team_lead(
    ticket, agent, lead, supervisor, django_capture_on_commit_callbacks
):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(assignee=agent))
    Notification.objects.all().delete()

    _emit(SlaWarned(ticket_id=ticket.pk, target=SlaTarget.FIRST_RESPONSE), django_capture_on_commit_callbacks)

    assert recipients(Kind.SLA_WARNING) == {"agent", "lead"}
    assert Notification.objects.get(recipient=agent).params == {"target": "first_response"}


def test_an_sla_breach_also_goes_to_the_supervisors(
    ticket, agent, lead, supervisor, outsider, django_capture_on_commit_callbacks
):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(assignee=agent))

    _emit(SlaBreached(ticket_id=ticket.pk, target=SlaTarget.RESOLUTION), django_capture_on_commit_callbacks)

    assert recipients(Kind.SLA_BREACH) == {"agent", "lead", "supervisor"}


def test_an_escalation_reaches_the_targets_and_lead_but_not_the_agent_who_escalated(
    ticket, agent, teammate, lead, supervisor, django_capture_on_commit_callbacks
):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(assignee=agent))

    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=ticket, actor=agent, reason="客户要求")

    assert recipients(Kind.ESCALATED) == {"lead"}  # the senior agent of the team, who also leads it
    note = Notification.objects.get(kind=Kind.ESCALATED)
    assert note.params["to"] == Level.L2 and note.actor == agent

    with django_capture_on_commit_callbacks(execute=True):
        escalate_ticket(ticket=ticket, actor=None, reason="sla:resolution")

    assert recipients(Kind.ESCALATED) == {"lead", "supervisor", "agent"}  # automatic: the assignee hears too


def test_an_agent_of_another_team_gets_nothing_of_a_ticket_she_cannot_see(
    ticket, outsider, front_line, django_capture_on_commit_callbacks
):
    front_line.lead = outsider  # even as the team's lead on paper
    front_line.save()

    _emit(SlaWarned(ticket_id=ticket.pk, target=SlaTarget.FIRST_RESPONSE), django_capture_on_commit_callbacks)
    created = notify(recipients=[outsider], kind=Kind.ESCALATED, ticket=ticket)

    assert created == [] and not Notification.objects.filter(recipient=outsider).exists()


def test_the_assignee_hears_when_the_customer_or_a_colleague_writes(
    ticket, agent, teammate, django_capture_on_commit_callbacks
):
    update_ticket(ticket=ticket, actor=agent, changes=TicketChanges(assignee=agent))

    with django_capture_on_commit_callbacks(execute=True):
        add_customer_message(ticket=ticket, text="有进展吗？")
        add_note(ticket=ticket, actor=teammate, text="我查了物流")
        add_note(ticket=ticket, actor=agent, text="自己的备注")  # her own: nothing

    notes = Notification.objects.filter(kind=Kind.REPLIED, recipient=agent).order_by("id")
    assert [n.params["author"] for n in notes] == ["陈小姐", "李娜"]
