"""The composition root of domain events: which listener reacts to which event.

Read this table to know everything that happens after a ticket changes. Listeners run after the
transaction commits (see kefu.core.events.emit).
"""


def connect() -> None:
    from kefu.core.events import subscribe
    from kefu.realtime import listeners as realtime
    from kefu.tickets.events import MessageAdded, TicketAssigned, TicketCreated, TicketUpdated

    # Live updates: watchers of the ticket get `ticket.changed`, every staff socket a `queue.changed` hint.
    subscribe(TicketCreated, realtime.ticket_created)
    subscribe(MessageAdded, realtime.message_added)
    subscribe(TicketUpdated, realtime.ticket_updated)
    subscribe(TicketAssigned, realtime.ticket_assigned)

    # Filled in as the layers that react arrive (realtime pushes, notifications, delivery, SLA).
