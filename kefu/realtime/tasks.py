"""Background jobs of the real-time layer."""

from celery import shared_task

from .connections import sweep


@shared_task(name="kefu.realtime.sweep_lost_sockets")
def sweep_lost_sockets() -> int:
    """Set agents offline whose sockets have all been gone for CHAT_PRESENCE_GRACE_SECONDS."""
    return len(sweep())
