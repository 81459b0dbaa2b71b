"""Who hears of what (wired in kefu.config.listeners; these run after the change committed)."""

from django.db import transaction

from kefu.core.events import handles_many
from kefu.core.prepared import prepared
from kefu.routing.services.escalation import handover_params
from kefu.sla.events import SlaBreached, SlaWarned, TicketEscalated
from kefu.sla.models import Escalation, SlaTarget
from kefu.sla.services import escalation_targets, supervisors_of
from kefu.tickets.access import viewers_among
from kefu.tickets.events import MessageAdded, TicketAssigned
from kefu.tickets.models import MessageKind, Ticket

from .models import Kind, Notification
from .services import notify


@prepared(int)
def _ticket(ticket_id):
    """The ticket with its assignee, team lead and customer (compiled once: every new-ticket job reads it)."""
    return (
        Ticket.objects.select_related("assignee", "team__lead", "customer")
        .filter(pk=ticket_id)
        .order_by()[:1]
    )


def _lead(ticket: Ticket):
    return ticket.team.lead if ticket.team_id and ticket.team.lead_id else None


def ticket_assigned(event: TicketAssigned) -> None:
    ticket = _ticket.first(event.ticket_id)
    if ticket is None or event.assignee_id is None or ticket.assignee_id != event.assignee_id:
        return  # unassigned, or reassigned again before this ran
    if event.actor_id == ticket.assignee_id:
        return  # took it themselves: nobody hears of their own action
    notify(recipients=[ticket.assignee], kind=Kind.ASSIGNED, ticket=ticket, actor=_user(event.actor_id))


def sla_warned(event: SlaWarned) -> None:
    ticket = _ticket.first(event.ticket_id)
    if ticket is None:
        return
    notify(
        recipients=[ticket.assignee, _lead(ticket)],
        kind=Kind.SLA_WARNING,
        ticket=ticket,
        params={"target": event.target},
    )


def sla_breached(event: SlaBreached) -> None:
    ticket = _ticket.first(event.ticket_id)
    if ticket is None or event.target == SlaTarget.ESCALATION:
        return  # the escalation timer is told as the escalation it causes
    notify(
        recipients=[ticket.assignee, _lead(ticket), *supervisors_of(ticket)],
        kind=Kind.SLA_BREACH,
        ticket=ticket,
        params={"target": event.target},
    )


def ticket_escalated(event: TicketEscalated) -> None:
    escalation = (
        Escalation.objects.select_related("actor", "from_assignee").filter(pk=event.escalation_id).first()
    )
    ticket = _ticket.first(event.ticket_id)
    if escalation is None or ticket is None:
        return
    # Routing has handed the ticket on by now (kefu.config.listeners orders it first): the new assignee
    # and the agent who had it both hear of it.
    previous = escalation.from_assignee
    handover = handover_params(escalation, ticket) if previous is not None else None
    notify(
        recipients=[
            user
            for user in (
                *escalation_targets(ticket, escalation.to_level),
                _lead(ticket),
                ticket.assignee,
                previous,
            )
            if handover is None or user is None or user.pk != previous.pk
        ],
        kind=Kind.ESCALATED,
        ticket=ticket,
        actor=escalation.actor,
        params={"from": escalation.from_level, "to": escalation.to_level, "reason": escalation.reason},
    )
    if handover is not None:
        _tell_previous_assignee(previous, ticket, escalation, handover)


def _tell_previous_assignee(previous, ticket: Ticket, escalation: Escalation, handover: dict) -> None:
    """Where the ticket went, to the agent who had it. One who lost access to it (moved to an L2 team) gets
    the number and names only, with no link — even after escalating it themselves, as they cannot look."""
    if viewers_among([previous], ticket):
        notify(
            recipients=[previous], kind=Kind.ESCALATED, ticket=ticket, actor=escalation.actor, params=handover
        )
    else:
        notify(recipients=[previous], kind=Kind.ESCALATED, params=handover)


_TOLD_KINDS = (MessageKind.CUSTOMER, MessageKind.NOTE, MessageKind.REPLY)


def _messages_added(events: list[MessageAdded]) -> None:
    """`message_added` for many events (a batch of jobs): their tickets read in one query; one transaction."""
    told = [event for event in events if event.kind in _TOLD_KINDS]
    tickets = (
        Ticket.objects.select_related("assignee", "team__lead", "customer")
        .filter(pk__in=[event.ticket_id for event in told], assignee__isnull=False)
        .order_by()
    )
    by_id = {ticket.pk: ticket for ticket in tickets}
    told_before = _told_of_first_message([event for event in told if event.ticket_id in by_id])
    with transaction.atomic():
        for event in told:
            _tell_assignee(event, by_id.get(event.ticket_id), told_before)


@handles_many(_messages_added)
def message_added(event: MessageAdded) -> None:
    """The customer (or a colleague) wrote on a ticket: its assignee hears of it."""
    if event.kind in _TOLD_KINDS:
        ticket = _ticket.first(event.ticket_id)
        told_before = _told_of_first_message([event]) if ticket is not None and ticket.assignee_id else set()
        _tell_assignee(event, ticket, told_before)


def _told_of_first_message(events: list[MessageAdded]) -> set[tuple[int, int]]:
    """(ticket, recipient) of the new tickets whose first message was told of already: a job run again (a
    retry, a redelivery) tells nobody twice of it. One narrow read, only when there is an assignee to tell."""
    first = [event.ticket_id for event in events if event.opens_ticket]
    if not first:
        return set()
    rows = Notification.objects.filter(ticket_id__in=first, kind=Kind.REPLIED).values_list(
        "ticket_id", "recipient_id"
    )
    return set(rows)


def _tell_assignee(event: MessageAdded, ticket: Ticket | None, told_before: set[tuple[int, int]]) -> None:
    if ticket is None or ticket.assignee is None or ticket.assignee_id == event.actor_id:
        return  # nobody to tell (the assignee wrote it: nobody hears of their own action)
    if (ticket.pk, ticket.assignee_id) in told_before:
        return
    actor = _user(event.actor_id)
    author = actor.name if actor else ""
    if event.kind == MessageKind.CUSTOMER:
        author = ticket.customer.name
    notify(
        recipients=[ticket.assignee], kind=Kind.REPLIED, ticket=ticket, actor=actor, params={"author": author}
    )


def _user(user_id: int | None):
    if user_id is None:
        return None
    from kefu.accounts.models import User

    return User.objects.filter(pk=user_id).first()
