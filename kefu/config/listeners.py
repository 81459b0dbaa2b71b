"""The composition root of domain events: which listener reacts to which event.

Read this table to know everything that happens after a ticket changes. Listeners run after the
transaction commits (see kefu.core.events.emit): quick ones (live pushes, queuing a mail) in the
request itself; `background=True` ones (SLA clocks, notifications, routing and assignment) together,
in this order, in one background job — so a request answers as soon as its own change is stored.
"""


def connect() -> None:
    from kefu.core.events import subscribe
    from kefu.realtime import listeners as realtime
    from kefu.tickets.events import MessageAdded, TicketAssigned, TicketCreated, TicketUpdated

    # Live updates: watchers of the ticket get `ticket.changed`, every staff socket a `queue.changed` hint
    # (a new ticket, watched by nobody yet, only the hint: sent by its first message's listener).
    subscribe(MessageAdded, realtime.message_added)
    subscribe(TicketUpdated, realtime.ticket_updated)
    subscribe(TicketAssigned, realtime.ticket_assigned)

    # Ticket search: a ticket's words are re-indexed when it gets a message or a new subject.
    from kefu.tickets import listeners as tickets

    subscribe(MessageAdded, tickets.index_for_search, background=True)
    subscribe(TicketUpdated, tickets.index_for_search, background=True)

    # E-mail channel: agents' public replies on e-mail tickets are sent by SMTP.
    # Customers of e-mail tickets are told when their ticket is solved (per mailbox, never for auto-mail).
    from kefu.connectors.email import notifications as email_notifications
    from kefu.connectors.email import outbound as email_outbound

    subscribe(MessageAdded, email_outbound.reply_added)
    subscribe(MessageAdded, email_notifications.reply_added)
    subscribe(TicketUpdated, email_notifications.ticket_updated)

    # Satisfaction surveys: a ticket solved (by a status change or a reply "and solve") gets one per solve.
    from kefu.surveys import listeners as surveys

    subscribe(TicketUpdated, surveys.ticket_solved, background=True)
    subscribe(MessageAdded, surveys.ticket_solved, background=True)
    # … and a live chat that ended after a person answered gets its ticket's survey, shown in the chat window.
    from kefu.chat.events import ChatEnded

    subscribe(ChatEnded, surveys.chat_ended, background=True)

    # SLA clocks follow every ticket change; a breached complaint target escalates the ticket, and so do
    # a warning (when the policy says so) and the second reopen.
    from kefu.sla import listeners as sla
    from kefu.sla.events import SlaBreached, SlaWarned

    subscribe(TicketCreated, sla.ticket_created, background=True)
    subscribe(TicketUpdated, sla.ticket_updated, background=True)
    subscribe(MessageAdded, sla.message_added, background=True)
    subscribe(SlaBreached, sla.sla_breached, background=True)
    subscribe(SlaWarned, sla.sla_warned, background=True)
    subscribe(TicketUpdated, sla.maybe_reopened, background=True)
    subscribe(MessageAdded, sla.maybe_reopened, background=True)

    # Notifications: the assignee, team lead, escalation targets and supervisors hear of what concerns
    # them (never of their own action); in-app ones are pushed live to the user's sockets.
    from kefu.notifications import listeners as notifications
    from kefu.notifications.events import NotificationCreated, NotificationsRead
    from kefu.routing import listeners as routing
    from kefu.sla.events import TicketEscalated

    # Routing hands an escalated ticket to the new level's people first, so its notification names them.
    subscribe(TicketEscalated, routing.ticket_escalated, background=True)
    subscribe(TicketAssigned, notifications.ticket_assigned, background=True)
    subscribe(SlaWarned, notifications.sla_warned, background=True)
    subscribe(SlaBreached, notifications.sla_breached, background=True)
    subscribe(TicketEscalated, notifications.ticket_escalated, background=True)
    subscribe(MessageAdded, notifications.message_added, background=True)
    subscribe(NotificationCreated, realtime.notifications_changed)
    subscribe(NotificationsRead, realtime.notifications_changed)

    # Routing: intake rules, then the classifier, then assignment
    # Rules and the classifier set category, team, priority … of each new ticket once (kefu.routing.services);
    # rules may look at the mailbox an e-mail ticket came in by, which only the e-mail connector knows.
    from kefu.routing.services import register_fact_provider

    register_fact_provider(_email_mailbox)
    subscribe(TicketCreated, routing.ticket_created, background=True)

    # Assignment (after rules and classifier have set the team): the team's strategy gives new tickets
    # to an agent on shift; going offline or over the cap gives unstarted tickets back to the pool.
    from kefu.accounts.events import PresenceChanged, UserDeactivated

    subscribe(TicketCreated, routing.fill_pool_of_new_ticket, background=True)
    subscribe(TicketUpdated, routing.ticket_moved_or_done, background=True)
    subscribe(TicketAssigned, routing.agent_assigned, background=True)
    subscribe(PresenceChanged, routing.presence_changed, background=True)
    subscribe(UserDeactivated, routing.user_deactivated, background=True)

    # Live chat: every chat message (visitor, agent, bot, system line, note) is pushed by one listener to the
    # visitor's tabs, the chat's agent and supervisors who joined it; an agent coming online is offered the
    # oldest waiting chat; every ending of a chat is pushed to the widget and the consoles.
    from kefu.chat.events import ChatEnded, ChatMessagePosted
    from kefu.realtime import chat_listeners

    subscribe(ChatMessagePosted, chat_listeners.chat_message_posted)
    subscribe(PresenceChanged, chat_listeners.offer_waiting_chat)
    subscribe(ChatEnded, chat_listeners.chat_ended)


def _email_mailbox(ticket) -> dict[str, str]:
    """The mailbox (name and id) the first mail of an e-mail ticket was fetched from, for intake rules."""
    if ticket.channel != "email":
        return {}
    from kefu.connectors.email.models import ProcessedMail

    row = ProcessedMail.objects.filter(ticket_id=ticket.pk).select_related("mailbox").order_by("id").first()
    if row is None or row.mailbox is None:
        return {}
    return {"mailbox": row.mailbox.name, "mailbox_id": str(row.mailbox.pk)}
