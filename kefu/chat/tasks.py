"""Background jobs of live chat."""

from celery import shared_task

from kefu.chat.services import end_idle_conversations, mail_transcript


@shared_task(name="kefu.chat.end_idle")
def end_idle() -> int:
    """End chats the visitor silently left (no message for CHAT_IDLE_MINUTES)."""
    return len(end_idle_conversations())


@shared_task(name="kefu.chat.send_transcript")
def send_transcript(conversation_id: int, address: str) -> None:
    """E-mail a chat's transcript to the address the visitor gave."""
    mail_transcript(conversation_id=conversation_id, address=address)
