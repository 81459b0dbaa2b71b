"""What the tickets domain itself does after its events commit (wired in kefu.config.listeners)."""

from . import search
from .events import MessageAdded, TicketUpdated


def index_for_search(event: MessageAdded | TicketUpdated) -> None:
    """Re-index the ticket's words when it got a message (its first one included) or a new subject."""
    if isinstance(event, TicketUpdated) and "subject" not in event.fields:
        return
    if isinstance(event, MessageAdded) and event.kind not in search.SEARCHABLE_KINDS:
        return
    search.index_ticket(event.ticket_id)
