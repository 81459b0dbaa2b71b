"""Reactions of the routing domain to ticket events (wired in kefu.config.listeners)."""

from kefu.routing import services
from kefu.tickets.events import TicketCreated


def ticket_created(event: TicketCreated) -> None:
    """Intake rules, then the classifier; a retried event finds the ticket already routed and does nothing."""
    services.route_new_ticket(ticket_id=event.ticket_id)
