"""Reactions of the SLA domain to ticket events (wired in kefu.config.listeners)."""

from kefu.sla import services
from kefu.sla.events import SlaBreached
from kefu.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from kefu.tickets.models import MessageKind, Ticket

WATCHED_FIELDS = {"status", "priority", "category", "severity", "channel"}


def ticket_created(event: TicketCreated) -> None:
    _refresh(event.ticket_id)


def ticket_updated(event: TicketUpdated) -> None:
    if WATCHED_FIELDS.intersection(event.fields):
        _refresh(event.ticket_id)


def message_added(event: MessageAdded) -> None:
    if event.kind == MessageKind.REPLY:
        _refresh(event.ticket_id)


def sla_breached(event: SlaBreached) -> None:
    services.escalate_on_breach(ticket_id=event.ticket_id, target=event.target)


def _refresh(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        services.apply_policy(ticket=ticket)
