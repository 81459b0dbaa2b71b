"""The one door every channel enters by.

A connector (e-mail, chat, WeChat, phone, web form, API) turns its raw input into an `InboundMessage` and
calls `ingest`. Intake resolves the customer from the channel identity, finds the conversation the
message belongs to, and either appends to that ticket or opens a new one. The same external id twice —
a retried webhook, a mail fetched again — returns the first result and creates nothing.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from kefu.customers.services import find_or_create_customer
from kefu.tickets import services as ticket_services
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import Message, Ticket
from kefu.tickets.rules import FINAL_STATUSES


@dataclass(frozen=True, kw_only=True)
class InboundMessage:
    """What any channel hands to intake: who, what, and hints to thread it."""

    channel: str
    identity_kind: str
    identity_value: str
    name: str = ""
    language: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: tuple[IncomingFile, ...] = ()
    external_id: str = ""  # this message's id in its channel (Message-ID, chat message id …)
    thread_id: str = ""  # the conversation's id in its channel, when the channel has one
    ticket_number: int | None = None  # a ticket number the message refers to (subject tag, reply link)
    category_code: str = ""
    custom_fields: dict = field(default_factory=dict)
    team: object = None  # the team a new ticket goes to when its entry point has one (a mailbox); else default


@dataclass(frozen=True)
class IngestResult:
    ticket: Ticket
    message: Message
    created: bool  # a new ticket was opened
    duplicate: bool = False  # this external id was seen before; nothing new was stored


def ingest(inbound: InboundMessage, *, reopen_closed: bool = True) -> IngestResult:
    """Store one inbound message exactly once, as a new ticket or on the conversation it continues."""
    previous = _already_stored(inbound)
    if previous:
        return IngestResult(previous.ticket, previous, created=False, duplicate=True)
    customer = find_or_create_customer(
        kind=inbound.identity_kind, value=inbound.identity_value, name=inbound.name, language=inbound.language
    )
    try:
        with transaction.atomic():
            ticket = _thread_for(inbound, customer, reopen_closed=reopen_closed)
            if ticket is not None:
                message = ticket_services.add_customer_message(
                    ticket=ticket, text=inbound.text, html=inbound.html, attachments=inbound.attachments,
                    channel=inbound.channel, external_id=inbound.external_id,
                )
                return IngestResult(ticket, message, created=False)
            ticket, message = ticket_services.create_ticket_with_message(
                customer=customer, subject=inbound.subject or _subject_from(inbound), text=inbound.text,
                html=inbound.html, channel=inbound.channel, category=_category(inbound.category_code),
                attachments=inbound.attachments, custom_fields=inbound.custom_fields or None, team=inbound.team,
                external_id=inbound.thread_id, message_external_id=inbound.external_id,
            )
            return IngestResult(ticket, message, created=True)
    except IntegrityError:
        # A concurrent delivery of the same message won the race on the unique external id.
        previous = _already_stored(inbound)
        if previous is None:
            raise
        return IngestResult(previous.ticket, previous, created=False, duplicate=True)


def _already_stored(inbound: InboundMessage) -> Message | None:
    if not inbound.external_id:
        return None
    return (
        Message.objects.select_related("ticket")
        .filter(channel=inbound.channel, external_id=inbound.external_id[:255])
        .first()
    )


def _thread_for(inbound: InboundMessage, customer, *, reopen_closed: bool) -> Ticket | None:
    ticket = None
    if inbound.thread_id:
        ticket = Ticket.objects.filter(channel=inbound.channel, external_id=inbound.thread_id[:255]).first()
    if ticket is None and inbound.ticket_number:
        # A number alone is only trusted for the customer's own ticket.
        ticket = Ticket.objects.filter(pk=inbound.ticket_number, customer=customer).first()
    if ticket is not None and ticket.status in FINAL_STATUSES and not reopen_closed:
        return None
    return ticket


def _subject_from(inbound: InboundMessage) -> str:
    text = " ".join((inbound.text or "").split())
    return text[:60] or "(no subject)"


def _category(code: str):
    if not code:
        return None
    from kefu.tickets.models import Category

    return Category.objects.filter(code=code, is_active=True).first()
