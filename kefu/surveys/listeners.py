"""What the surveys domain does after ticket events commit (wired in kefu.config.listeners)."""

from kefu.chat.events import ChatEnded
from kefu.tickets.events import MessageAdded, TicketUpdated
from kefu.tickets.models import MessageKind, Status, Ticket

from . import chat_surveys, services


def ticket_solved(event: TicketUpdated | MessageAdded) -> None:
    """Open the satisfaction survey of a ticket that became solved: by a status change, or by an agent's
    reply sent "and solve" (that emits only MessageAdded). Idempotent: `open_survey` keys on the solve."""
    if isinstance(event, TicketUpdated) and "status" not in event.fields:
        return
    if isinstance(event, MessageAdded) and event.kind != MessageKind.REPLY:
        return
    ticket = Ticket.objects.filter(pk=event.ticket_id, status=Status.SOLVED).first()
    if ticket is not None:
        services.open_survey(ticket=ticket)


def chat_ended(event: ChatEnded) -> None:
    """Open the survey of a chat that ended after a person answered (shown in the chat window). Idempotent:
    `open_chat_survey` finds the chat's survey again."""
    chat_surveys.open_chat_survey(event.conversation_id)
