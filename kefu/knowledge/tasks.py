"""Background jobs of the knowledge base."""

from celery import shared_task

from kefu.knowledge.services import settle_deflections


@shared_task(name="kefu.knowledge.settle_deflections")
def settle() -> int:
    """Decide which suggested-article reads deflected a ticket (their 30-minute window has passed)."""
    return settle_deflections()
