"""Background jobs of the e-mail channel: polling mailboxes and delivering replies."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="email_channel.poll_mailbox", acks_late=True)
def poll_mailbox(mailbox_id: int) -> dict:
    """Fetch new mail of one active mailbox; errors are recorded on the mailbox, never raised."""
    from .fetch import MailboxError, poll
    from .models import Mailbox

    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return {"skipped": True}
    try:
        report = poll(mailbox)
    except MailboxError as exc:
        log.warning("polling mailbox %s failed: %s", mailbox_id, exc)
        return {"error": str(exc)}
    return {
        "fetched": report.fetched,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
    }


@shared_task(name="email_channel.poll_all")
def poll_all() -> None:
    from .models import Mailbox

    for mailbox_id in Mailbox.objects.filter(active=True, protocol="imap").values_list("pk", flat=True):
        poll_mailbox.delay(mailbox_id)


@shared_task(name="email_channel.deliver", bind=True, max_retries=6, acks_late=True)
def deliver(self, message_id: int) -> str:
    """Send one agent reply by SMTP; on failure retry with exponential backoff, then mark it failed."""
    from .outbound import DeliveryError, send_reply

    try:
        final = bool(self.request.is_eager) or self.request.retries >= self.max_retries
        return send_reply(message_id=message_id, final_attempt=final)
    except DeliveryError as exc:
        if self.request.is_eager:
            return f"failed: {exc}"
        raise self.retry(exc=exc, countdown=min(3600, 30 * 2**self.request.retries)) from exc
