"""Sending agents' public replies to customers by SMTP, with headers that thread in every mail client.

Who gets a reply by mail (`outgoing_mailbox`): the customer of an e-mail ticket, through the mailbox the
ticket came in by; the customer of a web-form, API or phone ticket, through the default outgoing mailbox
(the first active one with an SMTP server) unless its "e-mail customers of web and API tickets" is off,
with a link to the ticket in the portal. Never a chat or WeChat customer (they read the reply where they
wrote), never an internal note, never a customer without an e-mail address.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from kefu.core.clock import now
from kefu.core.tasks import enqueue_on_commit
from kefu.customers.models import Identity
from kefu.notifications import delivery
from kefu.tickets.events import MessageAdded
from kefu.tickets.models import Channel, DeliveryStatus, Message, MessageKind, Ticket
from kefu.tickets.services import set_delivery

from . import retries
from .models import Mailbox, ProcessedMail

log = logging.getLogger(__name__)

TIMEOUT = 30


class DeliveryError(Exception):
    """Sending failed; `permanent` when the server refused for good (5xx), else worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# Channels whose customers get agents' replies by mail from the default mailbox (they have no inbox of ours).
MAILED_FROM_DEFAULT = frozenset({Channel.WEB, Channel.API, Channel.PHONE})


def reply_added(event: MessageAdded) -> None:
    """Listener: an agent's public reply is queued for delivery by mail when the customer gets one."""
    if event.kind != MessageKind.REPLY:
        return
    ticket = Ticket.objects.filter(pk=event.ticket_id).first()
    if ticket is None or ticket.channel not in MAILED_FROM_DEFAULT | {Channel.EMAIL}:
        return
    if ticket.channel == Channel.EMAIL:
        if not Mailbox.objects.filter(active=True).exists():
            return  # the e-mail channel is not set up: nothing to send with
    elif outgoing_mailbox(ticket) is None or customer_address(ticket) is None:
        return  # a web/API customer without an address, or mailing them is off: the portal shows the reply
    set_delivery(message_id=event.message_id, status=DeliveryStatus.PENDING)
    from .tasks import deliver

    enqueue_on_commit(deliver, event.message_id)


def mailbox_came_in_through(ticket: Ticket) -> Mailbox | None:
    """The mailbox the ticket's first fetched mail came from (None for tickets from other channels)."""
    processed = (
        ProcessedMail.objects.filter(ticket=ticket, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    return processed.mailbox if processed is not None else None


def default_mailbox() -> Mailbox | None:
    """The default outgoing mailbox: the first active one that can send."""
    return Mailbox.objects.filter(active=True).exclude(smtp_host="").order_by("id").first()


def outgoing_mailbox(ticket: Ticket) -> Mailbox | None:
    """The mailbox a mail to the ticket's customer goes out from, or None when none should (rule above)."""
    if ticket.channel == Channel.EMAIL:
        return mailbox_for(ticket)
    if ticket.channel in MAILED_FROM_DEFAULT:
        mailbox = default_mailbox()
        return mailbox if mailbox is not None and mailbox.email_other_channels else None
    return None


def customer_address(ticket: Ticket) -> str | None:
    identity = Identity.objects.filter(customer_id=ticket.customer_id, kind="email").order_by("id").first()
    return identity.value if identity is not None else None


def portal_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("portal:ticket", args=[ticket.pk])


def mailbox_for(ticket: Ticket) -> Mailbox | None:
    """The mailbox the conversation came in through, else the first active one."""
    return mailbox_came_in_through(ticket) or Mailbox.objects.filter(active=True).order_by("id").first()


def message_id_for(message: Message, mailbox: Mailbox) -> str:
    """A stable Message-ID, the same on every retry, so a resent mail is recognised as one."""
    domain = mailbox.from_address.rpartition("@")[2] or "kefu.localhost"
    return f"<kefu-{message.ticket_id}-{message.pk}@{domain}>"


def subject_for(ticket: Ticket) -> str:
    tag = f"[#{ticket.pk}]"
    subject = ticket.subject or ""
    if tag in subject:
        return subject if subject.lower().startswith("re:") else f"Re: {subject}"
    return f"Re: {subject} {tag}".strip()


def build(message: Message, mailbox: Mailbox, recipient: str) -> EmailMessage:
    ticket = message.ticket
    mail = EmailMessage()
    mail["Subject"] = subject_for(ticket)
    mail["From"] = (
        formataddr((mailbox.from_name, mailbox.from_address)) if mailbox.from_name else mailbox.from_address
    )
    mail["To"] = recipient
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = message_id_for(message, mailbox)
    earlier = list(
        Message.objects.filter(ticket=ticket, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(external_id="")
        .filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])
        .order_by("created_at", "id")
        .values_list("external_id", "kind")
    )
    refs = [ticket.external_id] if ticket.external_id.startswith("<") else []
    refs += [ext for ext, _kind in earlier if ext.startswith("<") and ext not in refs]
    refs = refs[:1] + refs[1:][-10:]  # the root plus the recent ones: headers stay short
    customer_ids = [ext for ext, kind in earlier if kind == MessageKind.CUSTOMER and ext.startswith("<")]
    if customer_ids or refs:
        mail["In-Reply-To"] = (customer_ids or refs)[-1]
    if refs:
        mail["References"] = " ".join(refs)
    mail["Auto-Submitted"] = "auto-replied" if message.author_kind == "bot" else "no"
    mail["X-Kefu-Ticket"] = str(ticket.pk)
    text, html = message.body_text or " ", message.body_html
    if ticket.channel != Channel.EMAIL:
        # The customer wrote on the web (or by API/phone): a reply by mail cannot thread onto anything
        # they sent, so it says where the whole conversation is.
        url = portal_url(ticket)
        with translation.override(ticket.customer.language or settings.LANGUAGE_CODE):
            line = _("See the whole conversation and answer online: %(url)s") % {"url": url}
        text = f"{text.rstrip()}\n\n--\n{line}\n"
        if html:
            html += f"<hr><p>{escape(line)}</p>"
    mail.set_content(text)
    if html:
        mail.add_alternative(html, subtype="html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            data = handle.read()
        maintype, _slash, subtype = (attachment.content_type or "application/octet-stream").partition("/")
        mail.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return mail


def send_reply(*, message_id: int) -> str:
    """Send one reply and record the outcome on the message; a failure worth retrying is scheduled again
    with backoff (the message stays "sending" and shows the error) until MAX_ATTEMPTS, then it is failed."""
    message = Message.objects.select_related("ticket__customer").filter(pk=message_id).first()
    if message is None or message.kind != MessageKind.REPLY:
        return "skipped"
    if message.ticket.channel not in MAILED_FROM_DEFAULT | {Channel.EMAIL}:
        return "skipped"
    if message.delivery_status == DeliveryStatus.SENT:
        return "already sent"
    mailbox = outgoing_mailbox(message.ticket)
    if mailbox is None and message.ticket.channel in MAILED_FROM_DEFAULT:
        # Mailing web/API/phone customers was switched off (or the mailbox went) while this waited: it is
        # not sent by mail, which is no failure; the portal shows the reply.
        retries.done(message=message)
        set_delivery(message_id=message.pk, status=DeliveryStatus.NONE)
        return "skipped: customers of this channel are not e-mailed"
    if mailbox is None or not mailbox.smtp_host:
        return _failed(message, _("No mailbox with an SMTP server is configured for this ticket."))
    address = customer_address(message.ticket)
    if address is None:
        return _failed(message, _("The customer has no e-mail address."))
    mail = build(message, mailbox, address)
    try:
        _send(mailbox, mail)
    except delivery.FAILURES as exc:
        # the policy: 5xx fails at once; a 4xx refusal (greylisting, a full mailbox) or a connection error
        # is tried again with backoff until it gives up.
        error = _reason(exc)
        if retries.after_failure(exc, message=message, error=error):
            return _failed(message, error)
        set_delivery(
            message_id=message.pk,
            status=DeliveryStatus.PENDING,
            error=_("Not delivered yet, trying again: %(error)s") % {"error": error},
        )
        return f"retrying: {error}"
    retries.done(message=message)
    set_delivery(
        message_id=message.pk, status=DeliveryStatus.SENT, sent_as=(Channel.EMAIL, mail["Message-ID"])
    )
    log.info("reply %s sent at %s", message.pk, now())
    return "sent"


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(text)}" for address, (code, text) in exc.recipients.items()
        )
        return _("The recipient was refused: %(error)s") % {"error": refused}
    return f"{type(exc).__name__}: {exc}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def send(mailbox: Mailbox, mail: EmailMessage) -> None:
    """Send one mail through the mailbox's SMTP server; a failure raises DeliveryError with the reason."""
    try:
        _send(mailbox, mail)
    except delivery.FAILURES as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}", permanent=delivery.is_permanent(exc)) from exc


def _send(mailbox: Mailbox, mail: EmailMessage) -> None:
    with smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port, timeout=TIMEOUT) as smtp:
        if mailbox.smtp_use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if mailbox.smtp_username:
            smtp.login(mailbox.smtp_username, mailbox.smtp_password)
        smtp.send_message(mail)


def _failed(message: Message, error: str) -> str:
    set_delivery(message_id=message.pk, status=DeliveryStatus.FAILED, error=error)
    return f"failed: {error}"
