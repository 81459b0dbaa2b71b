"""The agent chat console: my active chats and the queue; messages go over the agent websocket."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kefu.chat import services
from kefu.chat.models import ChatMessage, Conversation, ConversationStatus

from .common import staff_required

RECENT = 50  # messages shown per chat on page load; the socket delivers the rest


@require_GET
@staff_required
def chat_console(request: HttpRequest) -> HttpResponse:
    mine = list(
        Conversation.objects.filter(agent=request.user, status=ConversationStatus.ACTIVE)
        .select_related("customer")
        .order_by("accepted_at")
    )
    by_chat: dict[int, list[ChatMessage]] = {c.pk: [] for c in mine}
    for message in ChatMessage.objects.filter(conversation__in=mine).select_related("author").order_by("pk"):
        by_chat[message.conversation_id].append(message)
    for conversation in mine:
        conversation.recent = by_chat[conversation.pk][-RECENT:]
    return render(request, "workspace/chat_console.html", {"mine": mine, "waiting": services.queued()[:100]})
