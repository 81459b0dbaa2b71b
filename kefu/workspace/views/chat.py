"""The agent chat console: my active chats (messages, visitor profile and history), the queue, transfer
targets, and for supervisors every live chat; messages and actions go over the agent websocket."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.accounts.models import Team
from kefu.chat import services
from kefu.chat.models import ChatMessage, Conversation, ConversationStatus
from kefu.connectors.webchat.files import frame as file_frame
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import Macro, Ticket

from .common import staff_required

RECENT = 50  # messages shown per chat on page load; the socket delivers the rest
HISTORY = 5  # previous tickets per visitor


@require_GET
@staff_required
def chat_console(request: HttpRequest) -> HttpResponse:
    mine = list(
        Conversation.objects.filter(agent=request.user, status=ConversationStatus.ACTIVE)
        .select_related("customer", "topic")
        .annotate(previous_chats=Count("customer__chats", distinct=True) - 1)
        .order_by("accepted_at")
    )
    _attach_messages(mine)
    _attach_history(request.user, mine)
    supervisor = services.is_supervisor(request.user)
    context = {
        "mine": mine,
        "waiting": services.queued()[:100],
        "agents": get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(pk=request.user.pk)
        .filter(Q(presence="online") | Q(presence="away"))
        .order_by("presence", "username")[:200],
        "teams": Team.objects.order_by("name"),
        "canned": Macro.objects.filter(Q(is_shared=True) | Q(owner=request.user)).exclude(body="")[:100],
        "supervisor": supervisor,
        "overview": services.live_overview() if supervisor else None,
    }
    return render(request, "workspace/chat_console.html", context)


def _attach_messages(chats: list[Conversation]) -> None:
    by_chat: dict[int, list[ChatMessage]] = {c.pk: [] for c in chats}
    for message in ChatMessage.objects.filter(conversation__in=chats).select_related("author").order_by("pk"):
        if message.has_attachment:
            message.file_url = file_frame(message)["file"]["url"]
        by_chat[message.conversation_id].append(message)
    for conversation in chats:
        conversation.recent = by_chat[conversation.pk][-RECENT:]


def _attach_history(user, chats: list[Conversation]) -> None:
    """Each visitor's latest other tickets, in one query for all chats."""
    customers = {c.customer_id for c in chats}
    own = {c.ticket_id for c in chats}
    tickets = visible_tickets(user, Ticket.objects.filter(customer_id__in=customers)).exclude(pk__in=own)
    by_customer: dict[int, list[Ticket]] = {}
    for ticket in tickets.order_by("-pk").only("pk", "subject", "status", "customer_id")[:500]:
        by_customer.setdefault(ticket.customer_id, []).append(ticket)
    for conversation in chats:
        conversation.history = by_customer.get(conversation.customer_id, [])[:HISTORY]
