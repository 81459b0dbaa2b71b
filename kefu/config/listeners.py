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

    # E-mail channel: agents' public replies on e-mail tickets are sent by SMTP.
    from kefu.connectors.email import outbound as email_outbound

    subscribe(MessageAdded, email_outbound.reply_added)

    # SLA clocks follow every ticket change; a breached complaint target escalates the ticket.
    from kefu.sla import listeners as sla
    from kefu.sla.events import SlaBreached

    subscribe(TicketCreated, sla.ticket_created)
    subscribe(TicketUpdated, sla.ticket_updated)
    subscribe(MessageAdded, sla.message_added)
    subscribe(SlaBreached, sla.sla_breached)

    # Filled in as the layers that react arrive (realtime pushes, notifications, delivery, SLA).
