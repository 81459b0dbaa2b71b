"""Background jobs of notifications: the e-mail copy, sent after the commit that created it."""

from celery import shared_task


@shared_task(name="kefu.notifications.send_email", acks_late=True)
def send_notification_email(notification_id: int) -> bool:
    """Send one notification by e-mail; a repeated run (retry, redelivery) sends nothing twice."""
    from .mail import send_email

    return send_email(notification_id=notification_id)


@shared_task(name="kefu.notifications.resend_emails")
def resend_emails() -> int:
    """Queue again the e-mail copies whose send failed (or whose job was lost); run by the schedule."""
    from .services import requeue_unsent_emails

    return requeue_unsent_emails()
