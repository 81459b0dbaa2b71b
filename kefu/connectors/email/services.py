"""Writes of the e-mail channel: ingesting raw mail (or quarantining it) and managing mailboxes."""

import logging
from dataclasses import dataclass, field, replace

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kefu.accounts.services import is_admin
from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.intake.services import InboundMessage, ingest
from kefu.tickets.attachments import check_file
from kefu.tickets.models import Channel, DeliveryStatus, Message, MessageKind, Ticket
from kefu.tickets.services import set_delivery

from . import filters, notifications
from .models import (
    QUARANTINE_MAX_BYTES,
    ClosedTicketReplies,
    Mailbox,
    NotificationMail,
    ProcessedMail,
    QuarantinedMail,
)
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
    text = mail.text
    if not text.strip() and not attachments:
        # An empty mail (or one whose only file was refused) still counts: keep it, say it was empty.
        text = _("(empty message)")
    message_id = mail.message_id or fallback_message_id(raw)
    thread_id = mail.thread_root or message_id
    return InboundMessage(
        channel=Channel.EMAIL,
        identity_kind="email",
        identity_value=mail.from_address,
        name=mail.from_name,
        subject=mail.subject[:200],
        text=text,
        html=mail.html,
        attachments=tuple(attachments),
        external_id=message_id,
        thread_id=thread_id,
        ticket_number=mail.ticket_number,
    )


def ingest_raw(
    *, mailbox: Mailbox | None, raw: bytes, uid: int | None = None, notify: bool = True
) -> MailResult:
    """Store one raw mail exactly once, or keep it in quarantine with the error. Never raises.

    A new ticket from a mail no filter flagged gets the mailbox's "ticket received" notice (when `notify`),
    queued only once the storing transaction commits.
    """
    try:
        return _store(mailbox=mailbox, raw=raw, uid=uid, notify=notify)
    except Exception as exc:  # anything at all: keep the mail, never lose it, never crash the worker
        log.warning("mail quarantined: %s", exc, exc_info=True)
        return MailResult(
            quarantined=quarantine(mailbox=mailbox, raw=raw, error=f"{type(exc).__name__}: {exc}")
        )


def _store(*, mailbox: Mailbox | None, raw: bytes, uid: int | None, notify: bool, also=None) -> MailResult:
    """Parse, filter and store one mail in one transaction (`also` runs inside it too); raises on failure."""
    mail = parse(raw)
    warnings = list(mail.warnings)
    flags = filters.run_filters(mail, own_addresses())
    inbound = to_inbound(mail, raw=raw, warnings=warnings)
    bounced = bounced_notice = None
    if filters.BOUNCE in flags and mail.bounce_of:
        # A bounce belongs to the conversation of the mail that bounced (a reply, or a notice such as
        # "solved"), whichever channel the ticket came by (a web ticket has no thread id) and whoever reports it.
        bounced = _email_messages([mail.bounce_of]).first()
        bounced_notice = None if bounced is not None else _sent_notices([mail.bounce_of]).first()
        bounced_to = bounced or bounced_notice
        if bounced_to is not None:
            inbound = replace(inbound, ticket_id=bounced_to.ticket_id, ticket_number=None)
    if bounced is None and bounced_notice is None:
        # An answer to a reply or notice we mailed continues its ticket even when the subject lost its [#N]
        # tag or the ticket has no thread id (web, API, phone); intake still checks it is that customer's.
        answered = _answered_ticket_id(mail)
        if answered is not None:
            inbound = replace(inbound, ticket_number=answered)
    if mailbox is not None and mailbox.team_id:
        inbound = replace(inbound, team=mailbox.team)  # new tickets from this mailbox go to its team
    with transaction.atomic():
        result = ingest(inbound, follow_up_closed=_follow_up_closed(mailbox))
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
        if bounced is not None and bounced.kind == MessageKind.REPLY and not result.duplicate:
            set_delivery(message_id=bounced.pk, status=DeliveryStatus.FAILED, error=_bounced())
        if bounced_notice is not None and not result.duplicate:
            NotificationMail.objects.filter(pk=bounced_notice.pk).update(status="failed", error=_bounced())
        if notify and result.created and not flags and mailbox is not None:
            notifications.ticket_received(ticket=result.ticket, mailbox=mailbox)
        if also is not None:
            also()
    return MailResult(
        ticket=result.ticket,
        message=result.message,
        created=result.created,
        duplicate=result.duplicate,
        flags=flags,
        warnings=warnings,
        parsed=mail,
    )


def _bounced() -> str:
    return _("The mail bounced: the customer's mail server returned it.")


MAX_REFERENCES_LOOKED_UP = 20  # the most recent ids of a long References header are enough


def _email_messages(ids: list[str]):
    """E-mail messages (ours once sent, or fetched) with one of these Message-IDs. The partial unique
    index's condition (external_id <> '') is repeated so SQLite uses it (see intake's `_message_by_external_id`)."""
    ids = [value[:255] for value in ids if value]
    return Message.objects.filter(channel=Channel.EMAIL, external_id__in=ids).exclude(external_id="")


def _sent_notices(ids: list[str]):
    """Notices we mailed to customers (ticket received, solved) with one of these Message-IDs."""
    ids = [value[:255] for value in ids if value]
    return NotificationMail.objects.filter(message_id__in=ids).exclude(message_id="")


def _answered_ticket_id(mail: ParsedMail) -> int | None:
    """The ticket of the agent's reply or the notice we mailed that this mail answers: In-Reply-To first,
    then References, newest first."""
    ids = [
        value[:255] for value in (mail.in_reply_to, *reversed(mail.references[-MAX_REFERENCES_LOOKED_UP:]))
    ]
    if not any(ids):
        return None
    found = dict(_sent_notices(ids).values_list("message_id", "ticket_id"))
    found.update(_email_messages(ids).filter(kind=MessageKind.REPLY).values_list("external_id", "ticket_id"))
    return next((found[value] for value in ids if value in found), None)


def _follow_up_closed(mailbox: Mailbox | None) -> bool:
    """Mail on a closed ticket opens a linked follow-up unless the mailbox says to reopen it."""
    if mailbox is None:
        return True  # imported archives: the default of a new mailbox
    return mailbox.closed_ticket_replies == ClosedTicketReplies.FOLLOW_UP


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
    """Try a quarantined mail again (after a fix) through the same pipeline as fetched mail; marks it
    resolved in the same transaction that stored it."""
    if quarantined.truncated:
        raise InvalidInput(_("This mail was too large to keep whole and cannot be re-processed."))
    try:
        result = _store(
            mailbox=quarantined.mailbox,
            raw=bytes(quarantined.raw),
            uid=None,
            notify=False,  # the customer wrote a while ago; an admin's fix should not mail them now
            also=lambda: QuarantinedMail.objects.filter(pk=quarantined.pk).update(resolved=True),
        )
    except Exception as exc:
        QuarantinedMail.objects.filter(pk=quarantined.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000])
        raise InvalidInput(_("The mail still cannot be processed: %(error)s") % {"error": exc}) from exc
    quarantined.resolved = True
    return result


# --- managing mailboxes (admins only) ------------------------------------------------------------

MAILBOX_FIELDS = (
    "name",
    "protocol",
    "host",
    "port",
    "use_tls",
    "username",
    "folder",
    "team",
    "from_address",
    "from_name",
    "smtp_host",
    "smtp_port",
    "smtp_use_tls",
    "smtp_username",
    "notifications_enabled",
    "email_other_channels",
    "closed_ticket_replies",
    "delete_after_fetch",
    "active",
)
SECRET_FIELDS = ("password", "smtp_password")


def can_manage_mailboxes(actor) -> bool:
    """Mailbox credentials and raw customer mail are for administrators only."""
    return bool(actor and actor.is_authenticated and actor.is_active and actor.is_staff and is_admin(actor))


def _require_admin(actor) -> None:
    if not can_manage_mailboxes(actor):
        raise NotAllowed()


def save_mailbox(*, actor, values: dict, secrets: dict, mailbox: Mailbox | None = None) -> Mailbox:
    """Create (no `mailbox`) or change a mailbox. An empty secret keeps the stored one; secrets are never
    written to the audit trail, only that they changed."""
    _require_admin(actor)
    target = mailbox or Mailbox()
    changes: dict = {}
    for name in MAILBOX_FIELDS:
        if name in values:
            old, new = getattr(target, name), values[name]
            if mailbox is None or old != new:
                changes[name] = [_audit_value(old), _audit_value(new)]
            setattr(target, name, new)
    for name in SECRET_FIELDS:
        if secrets.get(name):
            setattr(target, name, secrets[name])
            changes[name] = ["", "(changed)"]
    if mailbox is not None and any(n in changes for n in ("host", "port", "username", "folder", "protocol")):
        # Another server or folder: its UIDs mean nothing here, start over (de-duplication keeps it safe).
        target.uid_validity, target.last_uid = 0, 0
    try:
        target.full_clean()
    except ValidationError as exc:
        name, errors = next(iter(exc.message_dict.items()))
        raise InvalidInput(errors[0], field=None if name == NON_FIELD_ERRORS else name) from exc
    with transaction.atomic():
        target.save()
        record(actor=actor, action="create" if mailbox is None else "update", obj=target, changes=changes)
    return target


def delete_mailbox(*, actor, mailbox: Mailbox) -> None:
    """Remove a mailbox; stored tickets and quarantined mail stay."""
    _require_admin(actor)
    with transaction.atomic():
        record(actor=actor, action="delete", obj=mailbox)
        mailbox.delete()


def reprocess_quarantined(*, actor, quarantined: QuarantinedMail) -> MailResult:
    """An administrator's "process again" on a quarantined mail."""
    _require_admin(actor)
    result = reprocess(quarantined=quarantined)
    record(actor=actor, action="reprocess", obj=quarantined, changes={"ticket": [None, result.ticket.pk]})
    return result


def _audit_value(value):
    if isinstance(value, models.Model):
        return str(value)
    return value
