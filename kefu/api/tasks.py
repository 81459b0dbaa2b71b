"""Background jobs of the API layer."""

from celery import shared_task

from kefu.api.services import purge_expired_idempotency_keys


@shared_task(name="kefu.api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Key results older than a day (retries come within minutes, not days)."""
    return purge_expired_idempotency_keys()
