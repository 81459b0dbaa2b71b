"""Live-chat pushes for changes that no socket made: an agent coming online, a chat ended by the idle job.

(Changes made on a socket are pushed by the consumer that made them, see realtime/chat.py and the
widget consumer.) Sync listeners, wired in kefu.config.listeners.
"""

from kefu.accounts.events import PresenceChanged
from kefu.accounts.models import Presence
from kefu.chat import services
from kefu.chat.events import ChatEnded
from kefu.chat.models import Conversation

from . import groups
from .broadcast import broadcast
from .chat import offer_frame


def offer_waiting_chat(event: PresenceChanged) -> None:
    """Someone came online: the oldest eligible waiting chat is offered to the least busy agent with room."""
    if event.presence != Presence.ONLINE:
        return
    offer = services.offer_next()
    if offer is None:
        return
    frame = offer_frame(offer.conversation)
    broadcast(groups.user(offer.agent.pk), "chat.offer", frame)


def chat_ended_by_the_server(event: ChatEnded) -> None:
    """Tell the visitor's widget and the staff following the chat that it is over."""
    if not event.idle:
        return
    conversation = Conversation.objects.filter(pk=event.conversation_id).only("pk", "agent_id").first()
    if conversation is None:
        return
    broadcast(groups.chat(conversation.pk), "ended", {})
    payload = {"conversation": conversation.pk}
    if conversation.agent_id:
        broadcast(groups.user(conversation.agent_id), "chat.ended", payload)
    broadcast(groups.chat_staff(conversation.pk), "chat.ended", payload)
    broadcast(groups.QUEUE, "chat.queue", {})
