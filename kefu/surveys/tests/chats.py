"""Building blocks for chat-survey tests: live chats that a person answered (or not), ended through the chat
service with their events run, as the socket would end them."""

from kefu.chat import services as chat
from kefu.chat.models import Conversation

from .helpers import committed


def answered_chat(site, agent, *, visitor_id: str = "v1") -> Conversation:
    """A chat `agent` accepted and answered once."""
    with committed():
        conversation = chat.start_conversation(site=site, visitor_id=visitor_id, text="订单没到")
        conversation = chat.accept(conversation=conversation, actor=agent)
        chat.post_agent_message(conversation=conversation, actor=agent, text="我来帮您查询")
    return conversation


def end(conversation: Conversation, actor=None) -> Conversation:
    """End the chat (the visitor's end when `actor` is None) and run what its events start."""
    with committed():
        ended = chat.end(conversation=conversation, actor=actor)
    ended.refresh_from_db()
    return ended
