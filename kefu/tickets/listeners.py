"""What the tickets domain itself does after its events commit (wired in kefu.config.listeners)."""

from kefu.core.events import handles_many

from . import search
from .events import MessageAdded, TicketUpdated


def _index_many_for_search(events: list[MessageAdded | TicketUpdated]) -> None:
    """The tickets of many events that call for it, indexed together (a batch of jobs)."""
    search.index_tickets_now(event.ticket_id for event in events if _changes_words(event))


def _changes_words(event: MessageAdded | TicketUpdated) -> bool:
    if isinstance(event, TicketUpdated):
        return "subject" in event.fields
    return event.kind in search.SEARCHABLE_KINDS


@handles_many(_index_many_for_search)
def index_for_search(event: MessageAdded | TicketUpdated) -> None:
    """Re-index the ticket's words when it got a message (its first one included) or a new subject."""
    if _changes_words(event):
        search.index_ticket(event.ticket_id)
