"""Notification mails to customers: "we received your mail" (e-mail tickets) and "your ticket is solved"
(e-mail tickets, and web-form/API/phone tickets by the rule in `outbound.outgoing_mailbox`).

Each is recorded as a `NotificationMail` with a unique key before it is queued, so an event seen twice
sends one mail. Nothing goes out for mail the loop filters flagged (auto-replies, bounces, our own
addresses), for mailboxes with notifications switched off, or inside a transaction (queued on commit).
"""

import logging
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from kefu.core.clock import now
from kefu.core.tasks import enqueue_on_commit
from kefu.customers.models import Identity
from kefu.surveys.services import open_survey, survey_url
from kefu.tickets.events import MessageAdded, TicketUpdated
from kefu.tickets.models import Channel, Message, MessageKind, Status, Ticket

from . import retries
from .models import Mailbox, NotificationKind, NotificationMail, ProcessedMail
from .outbound import MAILED_FROM_DEFAULT, mailbox_came_in_through, outgoing_mailbox

log = logging.getLogger(__name__)


def ticket_received(*, ticket: Ticket, mailbox: Mailbox) -> NotificationMail | None:
    """Queue the "ticket received" notice for a ticket a mail just opened (call inside its transaction)."""
    if not mailbox.notifications_enabled:
        return None
    return _queue(ticket=ticket, mailbox=mailbox, kind=NotificationKind.RECEIVED, key=f"received-{ticket.pk}")


def ticket_updated(event: TicketUpdated) -> None:
    """Listener: a status change to solved tells the customer (e-mail, web-form, API and phone tickets)."""
    if "status" in event.fields:
        _maybe_solved(event.ticket_id)


def reply_added(event: MessageAdded) -> None:
    """Listener: a reply that solved the ticket tells the customer too (the reply mail itself goes anyway)."""
    if event.kind == MessageKind.REPLY:
        _maybe_solved(event.ticket_id)


def _maybe_solved(ticket_id: int) -> None:
    ticket = Ticket.objects.filter(
        pk=ticket_id, channel__in=MAILED_FROM_DEFAULT | {Channel.EMAIL}, status=Status.SOLVED
    ).first()
    if ticket is None or ticket.solved_at is None:
        return
    if ticket.channel == Channel.EMAIL:
        mailbox = mailbox_came_in_through(ticket)
        if mailbox is None or _started_by_flagged_mail(ticket):
            return
    else:
        mailbox = outgoing_mailbox(ticket)
    if mailbox is None or not mailbox.notifications_enabled:
        return
    _queue(
        ticket=ticket,
        mailbox=mailbox,
        kind=NotificationKind.SOLVED,
        key=f"solved-{ticket.pk}-{int(ticket.solved_at.timestamp())}",
    )


def _queue(*, ticket: Ticket, mailbox: Mailbox, kind: str, key: str) -> NotificationMail | None:
    try:
        with transaction.atomic():
            note = NotificationMail.objects.create(ticket=ticket, mailbox=mailbox, kind=kind, key=key)
    except IntegrityError:
        return None  # already queued once
    from .tasks import notify

    enqueue_on_commit(notify, note.pk)
    return note


def _started_by_flagged_mail(ticket: Ticket) -> bool:
    first = ProcessedMail.objects.filter(ticket=ticket).order_by("id").first()
    return first is None or first.suppress_notifications


def build(note: NotificationMail, mailbox: Mailbox, recipient: str, language: str) -> EmailMessage:
    """The notification mail, written in the customer's language, threaded onto the conversation."""
    ticket = note.ticket
    # The solved notice carries the satisfaction survey's link (opened here if its listener has not run yet).
    survey = open_survey(ticket=ticket) if note.kind == NotificationKind.SOLVED else None
    context = {
        "ticket": ticket,
        "mailbox": mailbox,
        "portal_url": settings.SITE_URL + reverse("portal:ticket", args=[ticket.pk]),
        "survey_url": survey_url(survey) if survey else "",
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"email_channel/notifications/{note.kind}_subject.txt", context)
        body = render_to_string(f"email_channel/notifications/{note.kind}.txt", context)
    mail = EmailMessage()
    mail["Subject"] = " ".join(subject.split())
    mail["From"] = (
        formataddr((mailbox.from_name, mailbox.from_address)) if mailbox.from_name else mailbox.from_address
    )
    mail["To"] = recipient
    mail["Date"] = format_datetime(now())
    mail["Message-ID"] = make_msgid(
        idstring=f"kefu-{note.key}", domain=mailbox.from_address.rpartition("@")[2]
    )
    last = (
        Message.objects.filter(ticket=ticket, kind=MessageKind.CUSTOMER, external_id__startswith="<")
        .order_by("-created_at", "-id")
        .values_list("external_id", flat=True)
        .first()
    )
    if last:
        mail["In-Reply-To"] = last
        mail["References"] = " ".join(
            dict.fromkeys(x for x in (ticket.external_id, last) if x.startswith("<"))
        )
    # RFC 3834: an automatic mail, so the customer's own auto-responder stays quiet.
    mail["Auto-Submitted"] = "auto-replied"
    mail["X-Auto-Response-Suppress"] = "All"
    mail["X-Kefu-Ticket"] = str(ticket.pk)
    mail.set_content(body.strip() + "\n")
    return mail


def send_notification(*, notification_id: int) -> str:
    """Send one queued notification and record the outcome; failures are retried with backoff (retries.py)."""
    from .outbound import DeliveryError, send

    note = NotificationMail.objects.select_related("ticket", "mailbox").filter(pk=notification_id).first()
    if note is None or note.status == "sent":
        return "skipped"
    mailbox = note.mailbox
    identity = (
        Identity.objects.filter(customer_id=note.ticket.customer_id, kind="email")
        .select_related("customer")
        .order_by("id")
        .first()
    )
    from .services import own_addresses  # services imports this module

    own = set(own_addresses())
    if mailbox is None or not mailbox.smtp_host or not mailbox.notifications_enabled:
        return _finish(note, "skipped", "no mailbox with SMTP and notifications on")
    if note.ticket.channel in MAILED_FROM_DEFAULT and not mailbox.email_other_channels:
        # Switched off after this was queued: the switch holds for what is still waiting too.
        retries.done(notification=note)
        return _finish(note, "skipped", "customers of web, API and phone tickets are not e-mailed")
    if identity is None or identity.value.lower() in own:
        return _finish(note, "skipped", "no customer address (or one of our own)")
    mail = build(note, mailbox, identity.value, identity.customer.language)
    try:
        send(mailbox, mail)
    except DeliveryError as exc:
        if retries.after_failure(exc.__cause__ or exc, notification=note, error=str(exc)):
            return _finish(note, "failed", str(exc))
        NotificationMail.objects.filter(pk=note.pk).update(error=str(exc)[:2000])
        return f"retrying: {exc}"
    retries.done(notification=note)
    NotificationMail.objects.filter(pk=note.pk).update(
        status="sent", error="", sent_at=now(), message_id=str(mail["Message-ID"]).strip()[:255]
    )
    return "sent"


def _finish(note: NotificationMail, status: str, error: str) -> str:
    NotificationMail.objects.filter(pk=note.pk).update(status=status, error=error[:2000])
    return f"{status}: {error}"
