"""Writes of the e-mail channel: ingesting raw mail (or quarantining it) and managing mailboxes."""

import logging
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidInput
from kefu.intake.services import InboundMessage, ingest
from kefu.tickets.attachments import check_file
from kefu.tickets.models import Channel, Message, Ticket

from . import filters
from .models import QUARANTINE_MAX_BYTES, Mailbox, ProcessedMail, QuarantinedMail
from .parse import ParsedMail, fallback_message_id, parse

log = logging.getLogger(__name__)


@dataclass
class MailResult:
    """What happened to one raw mail: stored on a ticket, or quarantined with the reason."""

    ticket: Ticket | None = None
    message: Message | None = None
    created: bool = False
    duplicate: bool = False
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed: ParsedMail | None = None
    quarantined: QuarantinedMail | None = None

    @property
    def suppress_notifications(self) -> bool:
        return bool(self.flags)


def own_addresses() -> list[str]:
    return [a.lower() for a in Mailbox.objects.values_list("from_address", flat=True)]


def to_inbound(mail: ParsedMail, *, raw: bytes, warnings: list[str]) -> InboundMessage:
    """Map a parsed mail onto intake's channel-neutral message."""
    if not mail.from_address:
        raise ValueError("no sender address")
    attachments = []
    for item in mail.attachments:
        try:
            check_file(item.name, item.size)
        except InvalidInput as exc:
            warnings.append(str(exc))
            continue
        attachments.append(item)
    message_id = mail.message_id or fallback_message_id(raw)
    thread_id = mail.thread_root or message_id
    return InboundMessage(
        channel=Channel.EMAIL,
        identity_kind="email",
        identity_value=mail.from_address,
        name=mail.from_name,
        subject=mail.subject[:200],
        text=mail.text,
        html=mail.html,
        attachments=tuple(attachments),
        external_id=message_id,
        thread_id=thread_id,
        ticket_number=mail.ticket_number,
    )


def ingest_raw(*, mailbox: Mailbox | None, raw: bytes, uid: int | None = None) -> MailResult:
    """Store one raw mail exactly once, or keep it in quarantine with the error. Never raises."""
    try:
        mail = parse(raw)
        warnings = list(mail.warnings)
        flags = filters.run_filters(mail, own_addresses())
        inbound = to_inbound(mail, raw=raw, warnings=warnings)
        if filters.BOUNCE in flags and mail.bounce_of:
            # A bounce belongs to the conversation of the mail that bounced.
            concerned = Message.objects.filter(channel=Channel.EMAIL, external_id=mail.bounce_of).first()
            if concerned is not None and concerned.ticket.external_id:
                inbound = replace(inbound, thread_id=concerned.ticket.external_id, ticket_number=None)
        with transaction.atomic():
            result = ingest(inbound)
            if result.created and mailbox is not None and mailbox.team_id:
                Ticket.objects.filter(pk=result.ticket.pk).update(team_id=mailbox.team_id)
            ProcessedMail.objects.get_or_create(
                mail_id=inbound.external_id[:255],
                defaults={
                    "mailbox": mailbox,
                    "uid": uid,
                    "ticket": result.ticket,
                    "message": result.message,
                    "flags": flags,
                    "suppress_notifications": bool(flags),
                    "raw": raw if len(raw) <= QUARANTINE_MAX_BYTES else b"",
                },
            )
        return MailResult(
            ticket=result.ticket,
            message=result.message,
            created=result.created,
            duplicate=result.duplicate,
            flags=flags,
            warnings=warnings,
            parsed=mail,
        )
    except Exception as exc:  # anything at all: keep the mail, never lose it, never crash the worker
        log.warning("mail quarantined: %s", exc, exc_info=True)
        return MailResult(
            quarantined=quarantine(mailbox=mailbox, raw=raw, error=f"{type(exc).__name__}: {exc}")
        )


def quarantine(*, mailbox: Mailbox | None, raw: bytes, error: str) -> QuarantinedMail:
    """Keep an unreadable mail raw (capped in size) with the error, for an admin to look at."""
    truncated = len(raw) > QUARANTINE_MAX_BYTES
    return QuarantinedMail.objects.create(
        mailbox=mailbox,
        raw=raw[:QUARANTINE_MAX_BYTES],
        size=len(raw),
        truncated=truncated,
        error=error[:2000],
    )


def reprocess(*, quarantined: QuarantinedMail) -> MailResult:
    """Try a quarantined mail again (after a fix); marks it resolved when it was stored this time."""
    if quarantined.truncated:
        raise InvalidInput(_("This mail was too large to keep whole and cannot be re-processed."))
    raw = bytes(quarantined.raw)
    try:
        mail = parse(raw)
        inbound = to_inbound(mail, raw=raw, warnings=[])
        with transaction.atomic():
            result = ingest(inbound)
            QuarantinedMail.objects.filter(pk=quarantined.pk).update(resolved=True)
    except Exception as exc:
        QuarantinedMail.objects.filter(pk=quarantined.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise InvalidInput(_("The mail still cannot be processed: %(error)s") % {"error": exc}) from exc
    quarantined.resolved = True
    return MailResult(
        ticket=result.ticket,
        message=result.message,
        created=result.created,
        duplicate=result.duplicate,
        parsed=mail,
    )
