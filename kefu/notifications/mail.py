"""The e-mail copy of a notification, in the recipient's language, through Django's default mailer."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import delivery
from .models import Notification
from .services import claim_email, drop_email, release_email
from .texts import describe

log = logging.getLogger(__name__)


def _ticket_url(note: Notification) -> str:
    if not note.ticket_id:
        return ""
    try:
        return settings.SITE_URL + reverse("workspace:ticket", args=[note.ticket_id])
    except NoReverseMatch:
        return ""


def send_email(*, notification_id: int) -> bool:
    """Claim the notification's e-mail (conditional update), then send it; run only from the task,
    which is queued after the commit that created the notification.

    Returns False when there is nothing to send (already sent, not wanted, gone). A temporary failure frees
    the claim again, and `resend_emails` (a periodic job) queues it again; a permanent one (a 5xx refusal of
    the address or message, see `delivery`) turns the copy off without marking it sent: that address will not
    take the mail however often it is tried.
    """
    if not claim_email(notification_id=notification_id):
        return False
    note = Notification.objects.select_related("recipient", "ticket", "actor").get(pk=notification_id)
    recipient = note.recipient
    if not (recipient.is_active and recipient.email):
        return False
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = describe(note)
        context = {"note": note, "text": text, "url": _ticket_url(note), "recipient": recipient}
        subject = _("[Kefu] %(text)s") % {"text": text}
        body = render_to_string("notifications/email.txt", context)
    try:
        send_mail(" ".join(subject.split())[:200], body, None, [recipient.email])  # no header injection
    except Exception as exc:
        if delivery.gives_up(exc):
            log.warning("notification e-mail %s refused for good: %s", notification_id, exc)
            drop_email(notification_id=notification_id)
            return False
        release_email(notification_id=notification_id)  # the periodic sweep queues it again
        log.warning("notification e-mail %s failed; it is tried again later", notification_id, exc_info=True)
        raise
    return True
