"""Reactions of the SLA domain to ticket events (wired in kefu.config.listeners)."""

from kefu.core.events import handles_many
from kefu.sla import services
from kefu.sla.events import SlaBreached, SlaWarned
from kefu.tickets.events import MessageAdded, TicketCreated, TicketUpdated
from kefu.tickets.models import MessageKind

WATCHED_FIELDS = {"status", "priority", "category", "severity", "channel", "first_response_at"}


def _tickets_created(events: list[TicketCreated]) -> None:
    services.refresh_clocks_many(ticket_ids=[event.ticket_id for event in events])


@handles_many(_tickets_created)
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


def sla_warned(event: SlaWarned) -> None:
    services.escalate_on_warning(ticket_id=event.ticket_id, target=event.target)


def maybe_reopened(event: MessageAdded | TicketUpdated) -> None:
    """A status change or a customer message may have reopened the ticket: the second reopen escalates."""
    if isinstance(event, TicketUpdated) and "status" not in event.fields:
        return
    if isinstance(event, MessageAdded) and (event.kind == MessageKind.EVENT or event.opens_ticket):
        return  # a ticket's first message reopens nothing
    services.escalate_on_reopen(ticket_id=event.ticket_id)


def _refresh(ticket_id: int) -> None:
    services.refresh_clocks(ticket_id=ticket_id)
