"""Turn committed ticket events into pushes (wired in kefu.config.listeners; they run after commit).

Watchers of the ticket get `{"type": "ticket.changed", "ticket": id, "what": ..., "actor": user id or null}`
so the page can refresh its timeline (and ignore its own changes); every staff socket gets a bare
`{"type": "queue.changed"}` hint, without the ticket id, because the queue group holds agents who may not
see that ticket.
"""

from kefu.notifications.events import NotificationCreated, NotificationsRead
from kefu.tickets.events import MessageAdded, TicketAssigned, TicketUpdated

from . import groups
from .broadcast import broadcast, broadcast_many, push_message

# A change of these fields can take the ticket away from someone watching it.
ACCESS_FIELDS = frozenset({"team", "assignee"})


def message_added(event: MessageAdded) -> None:
    if event.opens_ticket:
        # A new ticket (TicketCreated has no listener here) has no watchers yet: nobody could open its page
        # before this commit. Only the queues hear of it, through the bare hint, which no request waits for.
        broadcast_many([(groups.QUEUE, push_message("queue.changed", {}))])
        return
    added = {"what": "message", "actor": event.actor_id, "kind": event.kind, "message": event.message_id}
    _changed(event.ticket_id, added)


def ticket_updated(event: TicketUpdated) -> None:
    fields = list(event.fields)
    _changed(
        event.ticket_id,
        {"what": "updated", "actor": event.actor_id, "fields": fields},
        recheck_access=bool(ACCESS_FIELDS.intersection(fields)),
    )


def ticket_assigned(event: TicketAssigned) -> None:
    _changed(
        event.ticket_id,
        {"what": "assigned", "actor": event.actor_id, "assignee": event.assignee_id},
        recheck_access=True,
    )


def _changed(ticket_id: int, *changes: dict, recheck_access: bool = False) -> None:
    """One `ticket.changed` frame per change to the ticket's watchers, then the queue hint: one layer call
    for all of them (each call waits for the layer: a Redis round trip, or a hop to the event loop)."""
    group = groups.ticket(ticket_id)
    sends = [
        (
            group,
            push_message("ticket.changed", {"ticket": ticket_id, **change}, recheck_access=recheck_access),
        )
        for change in changes
    ]
    broadcast_many([*sends, (groups.QUEUE, push_message("queue.changed", {}))])


def notifications_changed(event: NotificationCreated | NotificationsRead) -> None:
    """The user's bell must recount: a hint to all their tabs (the count itself comes from the page)."""
    broadcast(groups.user(event.recipient_id), "notifications.changed", {})
