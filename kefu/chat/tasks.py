"""Background jobs of live chat."""

from celery import shared_task

from kefu.chat.services import end_idle_conversations


@shared_task(name="kefu.chat.end_idle")
def end_idle() -> int:
    """End chats the visitor silently left (no message for CHAT_IDLE_MINUTES)."""
    return len(end_idle_conversations())
