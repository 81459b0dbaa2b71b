"""Live-chat frames on the agent's websocket (`/ws/agent/`), an additive part of its protocol.

Frames from the browser:
  {"type": "chat.accept", "conversation": 5}
  {"type": "chat.send", "conversation": 5, "client_id": "a1", "text": "..."}
  {"type": "chat.end", "conversation": 5}
Frames to the browser (besides the pushes `chat.offer`, `chat.message`, `chat.ended`, `chat.queue`):
  {"type": "chat.accepted", "conversation": 5, "customer": "...", "messages": [...]}
  {"type": "chat.ack", "conversation": 5, "client_id": "a1", "id": 43}
  {"type": "chat.error", "conversation": 5, "error": "taken"|"not_found"|"invalid", "message": "..."}
"""

from channels.db import database_sync_to_async
from django.utils.translation import gettext_lazy as _

from kefu.chat import rules, services
from kefu.chat.models import Conversation
from kefu.core.errors import Conflict, DomainError

from . import groups
from .broadcast import push_message

FRAMES = ("chat.accept", "chat.send", "chat.end")


@database_sync_to_async
def _conversation(conversation_id) -> Conversation | None:
    if isinstance(conversation_id, bool) or not isinstance(conversation_id, int) or conversation_id <= 0:
        return None
    return Conversation.objects.select_related("customer", "agent").filter(pk=conversation_id).first()


@database_sync_to_async
def _accept(conversation: Conversation, user) -> dict:
    conversation = services.accept(conversation=conversation, actor=user)
    messages = [m.as_json() for m in conversation.messages.select_related("author")]
    return {"conversation": conversation.pk, "customer": conversation.customer.name, "messages": messages}


@database_sync_to_async
def _send(conversation: Conversation, user, text: str, client_id: str) -> tuple[dict, bool]:
    posted = services.post_agent_message(
        conversation=conversation, actor=user, text=text, client_id=client_id
    )
    return posted.message.as_json(), posted.duplicate


@database_sync_to_async
def _end(conversation: Conversation, user) -> None:
    services.end(conversation=conversation, actor=user)


@database_sync_to_async
def _offer() -> tuple[int, dict] | None:
    from kefu.connectors.webchat.consumers import offer_frame

    offer = services.offer_next()
    if offer is None:
        return None
    return offer.agent.pk, offer_frame(offer.conversation)


async def handle(consumer, content: dict) -> None:
    """One chat frame from an agent socket (`consumer` is an AgentConsumer with a staff user)."""
    kind = content["type"]
    conversation = await _conversation(content.get("conversation"))
    if conversation is None or (kind != "chat.accept" and conversation.agent_id != consumer.user.pk):
        await _error(consumer, "not_found", content.get("conversation"))
        return
    layer = consumer.channel_layer
    try:
        if kind == "chat.accept":
            frame = await _accept(conversation, consumer.user)
            await consumer.send_json({"type": "chat.accepted", **frame})
            await layer.group_send(
                groups.chat(conversation.pk), push_message("agent", {"name": consumer.user.name})
            )
            await layer.group_send(groups.QUEUE, push_message("chat.queue", {}))
        elif kind == "chat.send":
            client_id = rules.clean_client_id(content.get("client_id"))
            text = rules.clean_text(content.get("text"))
            if client_id is None or text is None:
                await _error(consumer, "invalid", conversation.pk)
                return
            frame, duplicate = await _send(conversation, consumer.user, text, client_id)
            await consumer.send_json(
                {
                    "type": "chat.ack",
                    "conversation": conversation.pk,
                    "client_id": client_id,
                    "id": frame["id"],
                }
            )
            if not duplicate:
                await layer.group_send(groups.chat(conversation.pk), push_message("message", frame))
                mine = push_message("chat.message", frame)
                mine["skip"] = consumer.channel_name
                await layer.group_send(groups.user(consumer.user.pk), mine)
        else:
            await _end(conversation, consumer.user)
            await layer.group_send(groups.chat(conversation.pk), push_message("ended", {}))
            await layer.group_send(
                groups.user(consumer.user.pk), push_message("chat.ended", {"conversation": conversation.pk})
            )
            offer = await _offer()  # room for another chat
            if offer is not None:
                agent_id, offered = offer
                await layer.group_send(groups.user(agent_id), push_message("chat.offer", offered))
    except Conflict:
        await _error(consumer, "taken", conversation.pk)
    except DomainError:
        await _error(consumer, "invalid", conversation.pk)


async def _error(consumer, code: str, conversation_id) -> None:
    frame = {"type": "chat.error", "error": code, "message": str(ERRORS[code])}
    if isinstance(conversation_id, int):
        frame["conversation"] = conversation_id
    await consumer.send_json(frame)


ERRORS = {
    "taken": _("Someone else has already taken this chat, or it has ended."),
    "not_found": _("This chat does not exist or is not yours."),
    "invalid": _("The message could not be understood."),
}
