"""Background jobs of the e-mail channel: polling mailboxes and delivering replies."""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q

from kefu.core.clock import now

log = logging.getLogger(__name__)

POLL_LEASE = timedelta(minutes=10)  # a poll that died without releasing its claim is retried after this


@shared_task(name="email_channel.poll_mailbox", acks_late=True)
def poll_mailbox(mailbox_id: int) -> dict:
    """Fetch new mail of one active mailbox; errors are recorded on the mailbox, never raised."""
    return poll_now(mailbox_id)


def poll_now(mailbox_id: int) -> dict:
    """Poll one active mailbox unless another process is polling it right now (then `busy`).

    Used by the task above and by the IMAP IDLE watchers (kefu.connectors.email.idle)."""
    from .fetch import MailboxError, poll
    from .models import Mailbox

    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return {"skipped": True}
    moment = now()
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id)
        .filter(Q(poll_claimed_until__isnull=True) | Q(poll_claimed_until__lt=moment))
        .update(poll_claimed_until=moment + POLL_LEASE)
    )
    if not claimed:
        return {"skipped": True, "busy": True}  # another worker is polling it right now
    try:
        report = poll(mailbox)
    except MailboxError as exc:
        log.warning("polling mailbox %s failed: %s", mailbox_id, exc)
        return {"error": str(exc)}
    finally:
        Mailbox.objects.filter(pk=mailbox_id).update(poll_claimed_until=None)
    return {
        "fetched": report.fetched,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
    }


@shared_task(name="email_channel.poll_all")
def poll_all() -> None:
    """Queue a poll of every active mailbox (the beat schedule runs this every few seconds)."""
    from .models import Mailbox

    for mailbox_id in Mailbox.objects.filter(active=True).values_list("pk", flat=True):
        poll_mailbox.delay(mailbox_id)


@shared_task(name="email_channel.deliver", acks_late=True)
def deliver(message_id: int) -> str:
    """Send one agent reply by SMTP; a failure is retried with backoff by `retry_due` (see retries.py)."""
    from .outbound import send_reply

    return send_reply(message_id=message_id)


@shared_task(name="email_channel.notify", acks_late=True)
def notify(notification_id: int) -> str:
    """Send one notification mail to a customer; failures are retried like replies."""
    from .notifications import send_notification

    return send_notification(notification_id=notification_id)


@shared_task(name="email_channel.retry_due")
def retry_due() -> int:
    """Try again every failed send whose backoff has passed (run by the beat schedule)."""
    from .notifications import send_notification
    from .outbound import send_reply
    from .retries import claim_due

    claimed = claim_due()
    for retry in claimed:
        if retry.message_id:
            send_reply(message_id=retry.message_id)
        elif retry.notification_id:
            send_notification(notification_id=retry.notification_id)
    return len(claimed)
