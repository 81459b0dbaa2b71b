"""Turn committed ticket events into pushes (wired in kefu.config.listeners; they run after commit).

Watchers of the ticket get `{"type": "ticket.changed", "ticket": id, "what": ..., "actor": user id or null}`
so the page can refresh its timeline (and ignore its own changes); every staff socket gets a bare
`{"type": "queue.changed"}` hint, without the ticket id, because the queue group holds agents who may not
see that ticket.
"""

from kefu.notifications.events import NotificationCreated, NotificationsRead
from kefu.tickets.events import MessageAdded, TicketAssigned, TicketCreated, TicketUpdated

from . import groups
from .broadcast import broadcast

# A change of these fields can take the ticket away from someone watching it.
ACCESS_FIELDS = frozenset({"team", "assignee"})


def ticket_created(event: TicketCreated) -> None:
    # No queue hint of its own: a new ticket always comes with its first message (`create_ticket` emits
    # MessageAdded in the same transaction), whose push right after this one tells every queue.
    _changed(event.ticket_id, what="created", actor=None, tell_queues=False)


def message_added(event: MessageAdded) -> None:
    _changed(event.ticket_id, what="message", actor=event.actor_id, kind=event.kind, message=event.message_id)


def ticket_updated(event: TicketUpdated) -> None:
    fields = list(event.fields)
    _changed(
        event.ticket_id,
        what="updated",
        actor=event.actor_id,
        fields=fields,
        recheck_access=bool(ACCESS_FIELDS.intersection(fields)),
    )


def ticket_assigned(event: TicketAssigned) -> None:
    _changed(
        event.ticket_id,
        what="assigned",
        actor=event.actor_id,
        assignee=event.assignee_id,
        recheck_access=True,
    )


def _changed(
    ticket_id: int, *, what: str, actor: int | None, recheck_access: bool = False, tell_queues: bool = True, **extra
) -> None:
    payload = {"ticket": ticket_id, "what": what, "actor": actor, **extra}
    broadcast(groups.ticket(ticket_id), "ticket.changed", payload, recheck_access=recheck_access)
    if tell_queues:
        broadcast(groups.QUEUE, "queue.changed", {})


def notifications_changed(event: NotificationCreated | NotificationsRead) -> None:
    """The user's bell must recount: a hint to all their tabs (the count itself comes from the page)."""
    broadcast(groups.user(event.recipient_id), "notifications.changed", {})
