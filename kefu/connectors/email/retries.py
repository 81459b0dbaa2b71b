"""Retrying failed sends with exponential backoff, by the one mail delivery policy (notifications.delivery):
30 s, 1 min, 2 min … up to an hour, MAX_ATTEMPTS in all; a permanent (5xx) refusal is not retried."""

from datetime import timedelta

from django.db import transaction

from kefu.core.clock import now
from kefu.notifications import delivery
from kefu.tickets.models import Message

from .models import DeliveryRetry, NotificationMail

MAX_ATTEMPTS = delivery.MAX_ATTEMPTS
LEASE = timedelta(minutes=10)  # a claimed retry that never reports back is tried again after this
backoff = delivery.retry_delay


def after_failure(
    exc: BaseException,
    *,
    message: Message | None = None,
    notification: NotificationMail | None = None,
    error: str,
) -> bool:
    """A send failed with `exc`: schedule the next try, or (True) give up by the policy and forget the retry."""
    attempts = (
        1 if delivery.is_permanent(exc) else schedule(message=message, notification=notification, error=error)
    )
    if delivery.gives_up(exc, attempts=attempts):
        done(message=message, notification=notification)
        return True
    return False


def schedule(
    *, message: Message | None = None, notification: NotificationMail | None = None, error: str
) -> int:
    """Count one failed attempt; return how many there were. The caller gives up at MAX_ATTEMPTS."""
    lookup = {"message": message} if message is not None else {"notification": notification}
    with transaction.atomic():
        retry, _created = DeliveryRetry.objects.select_for_update().get_or_create(
            **lookup, defaults={"due_at": now()}
        )
        retry.attempts += 1
        retry.due_at = now() + backoff(retry.attempts)
        retry.last_error = error[:2000]
        retry.save()
    return retry.attempts


def done(*, message: Message | None = None, notification: NotificationMail | None = None) -> None:
    """The send succeeded or finally failed: nothing left to retry."""
    lookup = {"message": message} if message is not None else {"notification": notification}
    DeliveryRetry.objects.filter(**lookup).delete()


def claim_due(limit: int = 100) -> list[DeliveryRetry]:
    """The retries that are due, each claimed with a conditional update so two sweepers never both send."""
    claimed = []
    moment = now()
    for retry in DeliveryRetry.objects.filter(due_at__lte=moment).order_by("due_at")[:limit]:
        if DeliveryRetry.objects.filter(pk=retry.pk, due_at=retry.due_at).update(due_at=moment + LEASE):
            claimed.append(retry)
    return claimed
