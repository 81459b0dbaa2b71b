"""The one door every channel enters by.

A connector (e-mail, chat, WeChat, phone, web form, API) turns its raw input into an `InboundMessage` and
calls `ingest`. Intake resolves the customer from the channel identity, finds the conversation the
message belongs to, and either appends to that ticket or opens a new one. The same external id twice —
a retried webhook, a mail fetched again — returns the first result and creates nothing.

A message continuing a *solved* ticket reopens it. One continuing a *closed* ticket reopens it too, unless
the entry point asks for follow-ups (`follow_up_closed`, a mailbox setting): then it goes to a new ticket
linked as a follow-up of the closed one (or to such a follow-up already open), as Zendesk does.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from kefu.core.prepared import prepared
from kefu.customers.services import find_or_create_customer
from kefu.tickets import services as ticket_services
from kefu.tickets.attachments import IncomingFile
from kefu.tickets.models import LinkKind, Message, Status, Ticket, TicketLink
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
    ticket_id: int | None = (
        None  # the ticket the channel matched it to by our own message (a bounce): trusted
    )
    category_code: str = ""
    custom_fields: dict = field(default_factory=dict)
    team: object = (
        None  # the team a new ticket goes to when its entry point has one (a mailbox); else default
    )


@dataclass(frozen=True)
class IngestResult:
    ticket: Ticket
    message: Message
    created: bool  # a new ticket was opened
    duplicate: bool = False  # this external id was seen before; nothing new was stored


def ingest(
    inbound: InboundMessage, *, reopen_closed: bool = True, follow_up_closed: bool = False
) -> IngestResult:
    """Store one inbound message exactly once, as a new ticket or on the conversation it continues.

    `reopen_closed=False`: a message on a solved or closed ticket opens a new, unlinked ticket.
    `follow_up_closed=True`: one on a closed ticket goes to a linked follow-up ticket instead of reopening it."""
    previous = _already_stored(inbound)
    if previous:
        return IngestResult(previous.ticket, previous, created=False, duplicate=True)
    customer = find_or_create_customer(
        kind=inbound.identity_kind, value=inbound.identity_value, name=inbound.name, language=inbound.language
    )
    try:
        with transaction.atomic():
            ticket = _thread_for(inbound, customer, reopen_closed=reopen_closed)
            if ticket is not None and follow_up_closed and ticket.status == Status.CLOSED:
                ticket, message = _follow_up(inbound, closed=ticket)
                if message is not None:
                    return IngestResult(ticket, message, created=True)
            if ticket is not None:
                message = ticket_services.add_customer_message(
                    ticket=ticket,
                    text=inbound.text,
                    html=inbound.html,
                    attachments=inbound.attachments,
                    channel=inbound.channel,
                    external_id=inbound.external_id,
                )
                return IngestResult(ticket, message, created=False)
            ticket, message = ticket_services.create_ticket_with_message(
                customer=customer,
                subject=inbound.subject or _subject_from(inbound),
                text=inbound.text,
                html=inbound.html,
                channel=inbound.channel,
                category=_category(inbound.category_code),
                attachments=inbound.attachments,
                custom_fields=inbound.custom_fields or None,
                team=inbound.team,
                external_id=inbound.thread_id,
                message_external_id=inbound.external_id,
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
    return _message_by_external_id.first(inbound.channel, inbound.external_id[:255])


# The rows of a channel with an external id, found by their unique index; compiled once (kefu.core.prepared).
# The index's condition (external_id <> '') is repeated: SQLite uses a partial index only when the query
# states its condition; without it each look-up read every message (8 ms at 35,000, growing with them).
@prepared(str, str)
def _message_by_external_id(channel, external_id):
    return (
        Message.objects.select_related("ticket")
        .filter(channel=channel, external_id=external_id)
        .exclude(external_id="")
        .order_by()[:1]
    )


@prepared(str, str)
def _ticket_by_external_id(channel, external_id):
    return (
        Ticket.objects.filter(channel=channel, external_id=external_id).exclude(external_id="").order_by()[:1]
    )


def _thread_for(inbound: InboundMessage, customer, *, reopen_closed: bool) -> Ticket | None:
    ticket = None
    if inbound.ticket_id is not None:
        ticket = Ticket.objects.filter(pk=inbound.ticket_id).first()
    if ticket is None and inbound.thread_id:
        ticket = _ticket_by_external_id.first(inbound.channel, inbound.thread_id[:255])
    if ticket is None and inbound.ticket_number:
        # A number alone is only trusted for the customer's own ticket.
        ticket = Ticket.objects.filter(pk=inbound.ticket_number, customer=customer).first()
    if ticket is not None and ticket.status in FINAL_STATUSES and not reopen_closed:
        return None
    return ticket


def _follow_up(inbound: InboundMessage, *, closed: Ticket) -> tuple[Ticket, Message | None]:
    """The open follow-up of a closed ticket to append to (no message yet), or a new one with the message.

    The closed ticket's row is locked, so two mails arriving at once on its thread open one follow-up."""
    closed = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer", "category", "team")
        .get(pk=closed.pk)
    )
    existing = (
        TicketLink.objects.filter(target=closed, kind=LinkKind.FOLLOW_UP)
        .exclude(source__status=Status.CLOSED)
        .select_related("source")
        .order_by("-id")
        .first()
    )
    if existing is not None:
        return existing.source, None
    ticket, message = ticket_services.create_ticket_with_message(
        customer=closed.customer,
        subject=closed.subject,
        text=inbound.text,
        html=inbound.html,
        channel=inbound.channel,
        category=_category(inbound.category_code) or closed.category,
        attachments=inbound.attachments,
        custom_fields=inbound.custom_fields or None,
        team=inbound.team or closed.team,
        external_id=inbound.external_id,
        message_external_id=inbound.external_id,
    )
    ticket_services.link_tickets(ticket=ticket, other=closed, kind=LinkKind.FOLLOW_UP, actor=None)
    return ticket, message


def _subject_from(inbound: InboundMessage) -> str:
    text = " ".join((inbound.text or "").split())
    return text[:60] or "(no subject)"


def _category(code: str):
    if not code:
        return None
    from kefu.tickets.models import Category

    return Category.objects.filter(code=code, is_active=True).first()
