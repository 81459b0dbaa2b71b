"""Live-chat pushes made by listeners (wired in kefu.config.listeners, run after commit): every chat message
(visitor, agent, bot, system line, note) to everyone following the chat, an agent coming online, every
ending of a chat (the visitor's, an agent's or supervisor's, the idle job's). Other changes made on a socket
are pushed by its consumer (realtime/chat.py, the widget consumer).
"""

from django.db.models import F

from kefu.accounts.events import PresenceChanged
from kefu.accounts.models import Presence
from kefu.chat import services
from kefu.chat.events import ChatEnded, ChatMessagePosted
from kefu.chat.models import AuthorKind, ChatMessage, Conversation
from kefu.connectors.webchat.files import frame as message_frame
from kefu.surveys.chat_surveys import survey_offer

from . import groups
from .broadcast import broadcast, broadcast_many, origin, push_message
from .chat import offer_frame, requeue_message


def chat_message_posted(event: ChatMessagePosted) -> None:
    """The one fan-out of a chat message: the visitor's tabs (never a note), the chat's agent, supervisors
    who joined it, and the author's own other tabs. The socket that wrote it (it got an ack) is skipped.

    One small query (the chat's current agent: it may have changed since the sender loaded the chat; the
    message itself is the row this thread just stored), one wait for all the pushes.
    """
    chat_id = event.conversation_id
    message = services.stored_message(event.message_id)
    if message is not None:
        message.chat_agent_id = services.current_agent_id(chat_id)
    else:  # stored elsewhere (another thread or process)
        message = (
            ChatMessage.objects.select_related("author")
            .annotate(chat_agent_id=F("conversation__agent_id"))
            .filter(pk=event.message_id)
            .first()
        )
        if message is None:
            return
    frame = message_frame(message)
    staff = push_message("chat.message", frame)
    sends = []
    if message.author_kind != AuthorKind.NOTE:
        sends.append((groups.chat(chat_id), push_message("message", frame)))
    for user_id in {message.chat_agent_id, message.author_id} - {None}:
        sends.append((groups.user(user_id), staff))
    sends.append((groups.chat_staff(chat_id), staff))
    skip = origin()
    if skip:
        for _group, pushed in sends:
            pushed["skip"] = skip
    broadcast_many(sends)


def offer_waiting_chat(event: PresenceChanged) -> None:
    """Someone came online: the oldest eligible waiting chat is offered to the least busy agent with room."""
    if event.presence != Presence.ONLINE:
        return
    offer = services.offer_next()
    if offer is None:
        return
    frame = offer_frame(offer.conversation)
    broadcast(groups.user(offer.agent.pk), "chat.offer", frame)


def chat_ended(event: ChatEnded) -> None:
    """The one push of a chat's end, whoever ended it: the visitor's widget, the chat's agent, the staff
    user who ended it, supervisors who joined it; consoles refresh the queue and waiting visitors hear
    their place; the agent's freed place is offered to the next waiting chat.

    Ended on a socket, these go out from that socket after its own handler (`from_socket`), the socket
    included.
    """
    conversation = Conversation.objects.filter(pk=event.conversation_id).only("pk", "agent_id").first()
    if conversation is None:
        return
    ended = push_message("chat.ended", {"conversation": conversation.pk})
    survey = survey_offer(conversation.pk)  # the widget asks for a rating after a chat a person answered
    sends = [
        (groups.chat(conversation.pk), push_message("ended", {"survey": survey} if survey else {})),
        (groups.chat_staff(conversation.pk), ended),
    ]
    for user_id in dict.fromkeys((conversation.agent_id, event.actor_id)):
        if user_id:
            sends.append((groups.user(user_id), ended))
    offer = services.offer_next()
    if offer is not None:
        sends.append(
            (groups.user(offer.agent.pk), push_message("chat.offer", offer_frame(offer.conversation)))
        )
    sends += [(groups.QUEUE, push_message("chat.queue", {})), (groups.CHAT_WAITING, requeue_message())]
    broadcast_many(sends)
