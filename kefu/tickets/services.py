"""Every change to a ticket goes through one of these functions.

Each runs in a transaction, checks that the actor may do it, writes the change, a timeline event and an
audit row, and emits a domain event that listeners (live updates, notifications, delivery) act on after
commit. Forms, the API, the portal and the channel adapters all call these; none writes a ticket itself.
"""

import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kefu.audit.models import AuditEntry
from kefu.audit.services import audit_entry, record, record_all
from kefu.core import clock
from kefu.core.errors import InvalidInput, NotAllowed, NotFound
from kefu.core.events import emit
from kefu.core.html import clean_html, html_to_text
from kefu.core.prepared import PreparedInsert

from . import rules
from .access import can_view_ticket, require_work
from .attachments import check_files, store_attachments
from .events import MessageAdded, TicketAssigned, TicketCreated, TicketUpdated
from .models import (
    AuthorKind,
    Category,
    CustomField,
    CustomFieldKind,
    DeliveryStatus,
    LinkKind,
    Macro,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Tag,
    Ticket,
    TicketLink,
    priority_rank_of,
)

# --- creating and conversing ---------------------------------------------------------------------


def create_ticket(**kwargs) -> Ticket:
    """Open a ticket for `customer` with its first message (the arguments of `create_ticket_with_message`)."""
    return create_ticket_with_message(**kwargs)[0]


def create_ticket_with_message(
    *,
    customer,
    subject: str,
    text: str = "",
    html: str = "",
    channel: str,
    actor=None,
    author_kind: str = AuthorKind.CUSTOMER,
    category: Category | None = None,
    priority: Priority | None = None,
    severity: str = Severity.NORMAL,
    team=None,
    assignee=None,
    tags: Iterable[str] = (),
    custom_fields: dict | None = None,
    attachments: Sequence = (),
    external_id: str = "",
    message_external_id: str = "",
    created_at: datetime | None = None,
) -> tuple[Ticket, Message]:
    """Open a ticket for `customer` with its first message; return both. `actor`: the agent who opens it."""
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput(_("A subject is required."), field="subject")
    html = clean_html(html)
    text = (text or "").strip() or html_to_text(html)
    check_files(attachments)
    now = created_at or clock.now()
    if priority is None or team is None:
        default_priority, default_team = _defaults()
        priority = priority or default_priority
        team = team or default_team
    custom_fields = clean_custom_fields(custom_fields or {})
    # No savepoint of its own: inside a caller's transaction (the API, intake) a failure here rolls back
    # with the caller's, as it would anyway; nothing above this point writes.
    with transaction.atomic(savepoint=False):
        ticket = _new_ticket.insert(Ticket(
            subject=subject[:255], customer=customer, channel=channel, category=category, priority=priority,
            priority_rank=priority_rank_of(priority),
            severity=severity, team=team, assignee=assignee, custom_fields=custom_fields,
            external_id=external_id[:255], created_at=now, updated_at=now, last_customer_message_at=now,
            message_count=1,  # the first message, inserted next in this transaction
        ))
        if tags:
            ticket.tags.set(_tags_named(tags))
        message = _new_message.insert(Message(
            ticket=ticket,
            kind=MessageKind.CUSTOMER if author_kind == AuthorKind.CUSTOMER else MessageKind.REPLY,
            author_kind=author_kind, author=actor if getattr(actor, "pk", None) else None,
            body_text=text, body_html=html, channel=channel, external_id=message_external_id[:255], created_at=now,
        ))
        store_attachments(message, attachments)
        _new_audit_row.insert(
            audit_entry(actor=actor, action="ticket.create", obj=ticket, changes={"subject": [None, ticket.subject]})
        )
        emit(TicketCreated(ticket_id=ticket.pk))
        emit(
            MessageAdded(
                ticket_id=ticket.pk, message_id=message.pk, kind=message.kind, actor_id=message.author_id,
                opens_ticket=True,
            )
        )
    return ticket, message


# A new ticket's three rows, their INSERTs compiled once per process (kefu.core.prepared): building them
# cost each new ticket more CPU than running them.
_new_ticket = PreparedInsert(Ticket)
_new_message = PreparedInsert(Message)
_new_audit_row = PreparedInsert(AuditEntry)


def _defaults():
    """The default priority and team (each what `.filter(is_default=True).first()` gives, or None), read
    afresh in one statement whose SQL is built once per process: building the two queries on every new
    ticket cost more CPU than running them."""
    sql, params, parts = _defaults_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    found, start = [], 0
    for model, columns in parts:
        values = list(row[start : start + len(columns)])
        start += len(columns)
        if values[0] is None:  # the primary key: no default row
            found.append(None)
            continue
        for position, column in enumerate(columns):
            for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
                values[position] = convert(values[position], column, connection)
        found.append(model.from_db(connection.alias, [column.target.attname for column in columns], values))
    return found


@functools.cache
def _defaults_query() -> tuple[str, tuple, list]:
    from kefu.accounts.models import Team

    selects, joins, params, parts = [], [], [], []
    for alias, model in (("default_priority", Priority), ("default_team", Team)):
        defaults = model.objects.filter(is_default=True)
        first = defaults if defaults.ordered else defaults.order_by("pk")  # as `.first()` picks it
        sql, query_params = first[:1].query.sql_with_params()
        selects.append(f"{alias}.*")
        joins.append(f"LEFT JOIN ({sql}) {alias} ON 1 = 1")
        params += query_params
        # What the query selects, in this order (primary key first).
        parts.append((model, [field.get_col(model._meta.db_table) for field in model._meta.concrete_fields]))
    return f"SELECT {', '.join(selects)} FROM (SELECT 1 AS one) one {' '.join(joins)}", tuple(params), parts


def add_customer_message(
    *,
    ticket: Ticket,
    text: str = "",
    html: str = "",
    attachments: Sequence = (),
    channel: str = "",
    external_id: str = "",
    author=None,
) -> Message:
    """The customer wrote again: append it and make the ticket need an agent (reopening a solved one)."""
    html = clean_html(html)
    text = (text or "").strip() or html_to_text(html)
    if not text and not attachments:
        raise InvalidInput(_("The message is empty."), field="text")
    check_files(attachments)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = clock.now()
        message = Message.objects.create(
            ticket=locked, kind=MessageKind.CUSTOMER, author_kind=AuthorKind.CUSTOMER, author=author,
            body_text=text, body_html=html, channel=channel or locked.channel, external_id=external_id[:255],
            created_at=now,
        )
        store_attachments(message, attachments)
        new_status = rules.status_after_customer_message(locked.status)
        if new_status != locked.status:
            _set_status(locked, new_status, actor=None, now=now)
        Ticket.objects.filter(pk=locked.pk).update(
            message_count=F("message_count") + 1, last_customer_message_at=now, updated_at=now,
            status=locked.status, solved_at=locked.solved_at, closed_at=locked.closed_at,
            reopened_count=locked.reopened_count,
        )
        emit(MessageAdded(ticket_id=locked.pk, message_id=message.pk, kind=message.kind, actor_id=None))
    ticket.refresh_from_db()
    return message


def add_reply(
    *, ticket: Ticket, actor, text: str = "", html: str = "", attachments: Sequence = (), status: str | None = None
) -> Message:
    """An agent's public reply to the customer; records the first response and moves the status on."""
    return _add_agent_message(
        ticket=ticket, actor=actor, kind=MessageKind.REPLY, text=text, html=html, attachments=attachments,
        status=status,
    )


def add_note(*, ticket: Ticket, actor, text: str = "", html: str = "", attachments: Sequence = ()) -> Message:
    """An internal note: only staff ever see it."""
    return _add_agent_message(
        ticket=ticket, actor=actor, kind=MessageKind.NOTE, text=text, html=html, attachments=attachments,
        status=None,
    )


def _add_agent_message(*, ticket, actor, kind, text, html, attachments, status) -> Message:
    require_work(actor, ticket)
    html = clean_html(html)
    text = (text or "").strip() or html_to_text(html)
    if not text and not attachments:
        raise InvalidInput(_("The message is empty."), field="text")
    if status and status not in Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    check_files(attachments)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = clock.now()
        message = Message.objects.create(
            ticket=locked, kind=kind, author_kind=AuthorKind.AGENT, author=actor, body_text=text, body_html=html,
            channel=locked.channel if kind == MessageKind.REPLY else "", created_at=now,
        )
        store_attachments(message, attachments)
        changes: dict = {"message_count": F("message_count") + 1, "updated_at": now}
        if kind == MessageKind.REPLY:
            if locked.first_response_at is None:
                changes["first_response_at"] = now
            new_status = rules.status_after_reply(locked.status, status)
        else:
            new_status = status or locked.status
        if new_status != locked.status:
            _check_transition(locked.status, new_status)
            _set_status(locked, new_status, actor=actor, now=now)
            changes.update(status=locked.status, solved_at=locked.solved_at, closed_at=locked.closed_at,
                           reopened_count=locked.reopened_count)
        Ticket.objects.filter(pk=locked.pk).update(**changes)
        emit(MessageAdded(ticket_id=locked.pk, message_id=message.pk, kind=message.kind, actor_id=actor.pk))
    ticket.refresh_from_db()
    return message


def record_first_response(*, ticket_id: int, at: datetime) -> bool:
    """The ticket was first answered outside its own timeline (an agent's live-chat message): stored once, and
    the SLA clocks follow (TicketUpdated). One conditional UPDATE; False when it had been answered before."""
    answered = Ticket.objects.filter(pk=ticket_id, first_response_at__isnull=True).update(first_response_at=at)
    if answered:
        emit(TicketUpdated(ticket_id=ticket_id, fields=("first_response_at",), actor_id=None))
    return bool(answered)


# --- changing fields -----------------------------------------------------------------------------

_UNSET = object()


@dataclass
class TicketChanges:
    """The fields one request wants to change; anything left as _UNSET stays as it is."""

    status: object = _UNSET
    priority: object = _UNSET
    category: object = _UNSET
    severity: object = _UNSET
    team: object = _UNSET
    assignee: object = _UNSET
    tags: object = _UNSET
    add_tags: Sequence[str] = field(default_factory=tuple)
    custom_fields: object = _UNSET
    subject: object = _UNSET

    def given(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not _UNSET and k != "add_tags"}


def update_ticket(*, ticket: Ticket, actor, changes: TicketChanges) -> Ticket:
    """Apply several field changes at once, each recorded in the timeline and the audit trail.

    `actor` None is the system itself (intake rules, the classifier): no permission check, events say "System".
    """
    if actor is not None:
        require_work(actor, ticket)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = clock.now()
        with _audit_rows_together():
            changed = _apply_changes(locked, actor, changes, now)
        if changed:
            locked.updated_at = now
            locked.save()
            emit(TicketUpdated(ticket_id=locked.pk, fields=tuple(changed), actor_id=getattr(actor, "pk", None)))
    return locked


def _apply_changes(ticket: Ticket, actor, changes: TicketChanges, now: datetime) -> list[str]:
    changed: list[str] = []
    given = changes.given()
    if "subject" in given and given["subject"] != ticket.subject:
        subject = (given["subject"] or "").strip()
        if not subject:
            raise InvalidInput(_("A subject is required."), field="subject")
        _audit_field(ticket, actor, "subject", ticket.subject, subject[:255])
        ticket.subject = subject[:255]
        changed.append("subject")
    if "status" in given and given["status"] != ticket.status:
        _check_transition(ticket.status, given["status"])
        _set_status(ticket, given["status"], actor=actor, now=now)
        changed.append("status")
    for name in ("priority", "category"):
        if name in given and getattr(ticket, f"{name}_id") != getattr(given[name], "pk", None):
            old = getattr(ticket, name)
            setattr(ticket, name, given[name])
            if name == "priority":
                ticket.priority_rank = priority_rank_of(given[name])
            _event(ticket, actor, f"{name}_changed", {"old": names_of(old), "new": names_of(given[name])}, now)
            _audit_field(ticket, actor, name, _label(old), _label(given[name]))
            changed.append(name)
    if "severity" in given and given["severity"] != ticket.severity:
        if given["severity"] not in Severity.values:
            raise InvalidInput(_("Unknown severity."), field="severity")
        _event(ticket, actor, "severity_changed", {"old": ticket.severity, "new": given["severity"]}, now)
        _audit_field(ticket, actor, "severity", ticket.severity, given["severity"])
        ticket.severity = given["severity"]
        changed.append("severity")
    if "team" in given and ticket.team_id != getattr(given["team"], "pk", None):
        old = ticket.team
        ticket.team = given["team"]
        _event(ticket, actor, "team_changed", {"old": names_of(old), "new": names_of(given["team"])}, now)
        _audit_field(ticket, actor, "team", _label(old), _label(given["team"]))
        changed.append("team")
    if "assignee" in given and ticket.assignee_id != getattr(given["assignee"], "pk", None):
        _assign(ticket, actor, given["assignee"], now)
        changed.append("assignee")
    if "tags" in given or changes.add_tags:
        if _change_tags(ticket, actor, given.get("tags"), changes.add_tags, now):
            changed.append("tags")
    if "custom_fields" in given:
        cleaned = {**ticket.custom_fields, **clean_custom_fields(given["custom_fields"] or {})}
        if cleaned != ticket.custom_fields:
            _audit_field(ticket, actor, "custom_fields", ticket.custom_fields, cleaned)
            ticket.custom_fields = cleaned
            changed.append("custom_fields")
    return changed


def change_status(*, ticket: Ticket, actor, status: str) -> Ticket:
    return update_ticket(ticket=ticket, actor=actor, changes=TicketChanges(status=status))


def assign_ticket(*, ticket: Ticket, actor, assignee) -> Ticket:
    return update_ticket(ticket=ticket, actor=actor, changes=TicketChanges(assignee=assignee))


def assign_by_routing(*, ticket: Ticket, assignee, reason: str) -> Ticket:
    """Automatic assignment (no actor): give the ticket to `assignee`, or back to the pool with None.

    `reason` is a code the timeline explains: the team's strategy ("round_robin" …) or why the ticket was
    given back ("offline", "overloaded"). Callers (kefu.routing.services.assignment) hold the ticket's row lock.
    """
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise InvalidInput(_("Tickets can only be assigned to active staff."), field="assignee")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.assignee_id == getattr(assignee, "pk", None):
            return locked
        now = clock.now()
        # Conditional on the assignee just read: even where row locks are no-ops (SQLite), two workers
        # cannot both hand out the same ticket.
        if not Ticket.objects.filter(pk=locked.pk, assignee_id=locked.assignee_id).update(
            assignee=assignee, updated_at=now
        ):
            return Ticket.objects.get(pk=locked.pk)
        extra = {"reason": reason}
        if assignee is None:
            extra["previous_name"] = locked.assignee.name if locked.assignee else ""
        _assign(locked, None, assignee, now, extra=extra)
        locked.updated_at = now
        emit(TicketUpdated(ticket_id=locked.pk, fields=("assignee",), actor_id=None))
    return locked


def bulk_update(*, tickets: Iterable[Ticket], actor, changes: TicketChanges) -> list[Ticket]:
    """The same change on many tickets, all or nothing."""
    if not actor.has_perm("tickets.bulk_change_ticket"):
        raise NotAllowed()
    with transaction.atomic():
        return [update_ticket(ticket=t, actor=actor, changes=changes) for t in tickets]


def close_by_customer(*, ticket: Ticket, customer) -> Ticket:
    """The customer says the issue is done: mark the ticket solved (agents may close it later)."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.customer_id != customer.pk:
            raise NotAllowed()
        if locked.status in rules.FINAL_STATUSES:
            return locked
        now = clock.now()
        _set_status(locked, Status.SOLVED, actor=None, now=now, by_customer=True)
        locked.updated_at = now
        locked.save()
        emit(TicketUpdated(ticket_id=locked.pk, fields=("status",), actor_id=None))
    return locked


# --- links between tickets ----------------------------------------------------------------------


def link_tickets(*, ticket: Ticket, other: Ticket, kind: str, actor) -> TicketLink:
    """Record that `ticket` is a follow-up of (or related to) `other`, with an event on both timelines.

    `actor` None is the system (intake opening a follow-up of a closed ticket). Linking twice returns the
    first link; a ticket is never linked to itself."""
    if kind not in LinkKind.values:
        raise InvalidInput(_("Unknown kind of link."), field="kind")
    if ticket.pk == other.pk:
        raise InvalidInput(_("A ticket cannot be linked to itself."), field="other")
    if actor is not None:
        require_work(actor, ticket)
        if not can_view_ticket(actor, other):
            raise NotFound()
    with transaction.atomic():
        now = clock.now()
        link, created = TicketLink.objects.get_or_create(
            source=ticket, target=other, kind=kind, defaults={"created_by": actor, "created_at": now}
        )
        if not created:
            return link
        for one, two, direction in ((ticket, other, "out"), (other, ticket, "in")):
            data = {"kind": kind, "direction": direction, "other": two.pk, "other_subject": two.subject[:100]}
            _event(one, actor, "linked", data, now)
        Ticket.objects.filter(pk__in=[ticket.pk, other.pk]).update(updated_at=now)
        record(actor=actor, action="ticket.link", obj=ticket, changes={kind: [None, other.pk]})
        for pk in (ticket.pk, other.pk):  # both pages refresh their timeline and links
            emit(TicketUpdated(ticket_id=pk, fields=("links",), actor_id=getattr(actor, "pk", None)))
    return link


def unlink_tickets(*, link: TicketLink, actor) -> None:
    """Remove a link an agent made by mistake; both timelines say so."""
    source, target = link.source, link.target
    require_work(actor, source)
    with transaction.atomic():
        now = clock.now()
        if not TicketLink.objects.filter(pk=link.pk).delete()[0]:
            return
        for one, two, direction in ((source, target, "out"), (target, source, "in")):
            _event(one, actor, "unlinked", {"kind": link.kind, "direction": direction, "other": two.pk}, now)
        Ticket.objects.filter(pk__in=[source.pk, target.pk]).update(updated_at=now)
        record(actor=actor, action="ticket.unlink", obj=source, changes={link.kind: [target.pk, None]})
        for pk in (source.pk, target.pk):
            emit(TicketUpdated(ticket_id=pk, fields=("links",), actor_id=actor.pk))


# --- delivery by a channel -----------------------------------------------------------------------


def set_delivery(
    *, message_id: int, status: str, error: str = "", sent_as: tuple[str, str] | None = None
) -> bool:
    """Record how a channel's delivery of a reply went: sending, sent, or not delivered and why.

    `sent_as`: (channel, external id) the channel gave the sent message (an e-mail's Message-ID), so the
    customer's answer threads onto it. Only a reply is ever delivered; returns False for anything else."""
    if status not in DeliveryStatus.values:
        raise InvalidInput(_("Unknown delivery status."))
    changes: dict = {"delivery_status": status, "delivery_error": error[:2000]}
    if sent_as is not None:
        changes.update(channel=sent_as[0], external_id=sent_as[1][:255])
    return bool(Message.objects.filter(pk=message_id, kind=MessageKind.REPLY).update(**changes))


# --- macros --------------------------------------------------------------------------------------


def macro_variables(*, ticket: Ticket, actor) -> dict:
    return {
        "customer": {"name": ticket.customer.name},
        "ticket": {"number": ticket.number, "subject": ticket.subject},
        "agent": {"name": actor.name if actor else ""},
    }


def macro_text(*, ticket: Ticket, actor, macro: Macro) -> str:
    """The macro's text, variables filled, for the reply box; changes nothing (the agent may still not send)."""
    require_work(actor, ticket)
    if not macro.is_shared and macro.owner_id != actor.pk:
        raise NotAllowed()
    return rules.render_macro_text(macro.body, macro_variables(ticket=ticket, actor=actor))


def apply_macro(*, ticket: Ticket, actor, macro: Macro, with_status: bool = True) -> Ticket:
    """Apply the macro's field actions and count its use: as the agent sends the reply it filled, in the
    reply's transaction. `with_status=False` when the reply itself set the status (the agent's choice wins)."""
    require_work(actor, ticket)
    if not macro.is_shared and macro.owner_id != actor.pk:
        raise NotAllowed()
    changes = macro_changes(macro.actions)
    if not with_status:
        changes.status = _UNSET
    with transaction.atomic():
        if changes.given() or changes.add_tags:
            ticket = update_ticket(ticket=ticket, actor=actor, changes=changes)
        Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
    return ticket


def macro_changes(actions: dict) -> TicketChanges:
    """Turn a macro's stored actions into ticket changes, ignoring references that no longer exist."""
    from kefu.accounts.models import Team

    changes = TicketChanges()
    if actions.get("status") in Status.values:
        changes.status = actions["status"]
    if actions.get("priority"):
        changes.priority = Priority.objects.filter(code=actions["priority"]).first() or _UNSET
    if actions.get("category"):
        changes.category = Category.objects.filter(code=actions["category"]).first() or _UNSET
    if actions.get("team"):
        changes.team = Team.objects.filter(pk=actions["team"]).first() or _UNSET
    if actions.get("severity") in Severity.values:
        changes.severity = actions["severity"]
    changes.add_tags = tuple(str(t) for t in actions.get("add_tags", []) if str(t).strip())
    return changes


# --- helpers -------------------------------------------------------------------------------------


def _check_transition(old: str, new: str) -> None:
    if new not in Status.values:
        raise InvalidInput(_("Unknown status."), field="status")
    if not rules.can_change_status(old, new):
        raise InvalidInput(
            _("A ticket cannot go from %(old)s to %(new)s.") % {"old": Status(old).label, "new": Status(new).label},
            field="status",
        )


def _set_status(ticket: Ticket, new: str, *, actor, now: datetime, by_customer: bool = False) -> None:
    old = ticket.status
    if rules.is_reopen(old, new):
        ticket.reopened_count += 1
        ticket.solved_at = None
        ticket.closed_at = None
    if new == Status.SOLVED and ticket.solved_at is None:
        ticket.solved_at = now
    if new == Status.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    ticket.status = new
    data = {"old": old, "new": new}
    if by_customer:
        data["by_customer"] = True
    _event(ticket, actor, "status_changed", data, now)
    _audit_field(ticket, actor, "status", old, new)


def _assign(ticket: Ticket, actor, assignee, now: datetime, *, extra: dict | None = None) -> None:
    """Set the assignee in memory (the caller saves), with its timeline event, audit row and event.

    `extra`: more data for the timeline event (assignment by routing gives its reason)."""
    to_self_or_nobody = assignee is None or (actor is not None and assignee.pk == actor.pk)
    if actor is not None and not to_self_or_nobody and not actor.has_perm("tickets.assign_ticket"):
        if not (ticket.team_id and assignee.teams.filter(pk=ticket.team_id).exists()):
            raise NotAllowed(_("You may only assign tickets to yourself or to members of the ticket's team."))
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise InvalidInput(_("Tickets can only be assigned to active staff."), field="assignee")
    if assignee is not None and actor is not None and not assignee.has_perm("tickets.change_ticket"):
        # A read-only role (analyst, QA inspector, trainer) could not even reply: the ticket would be stuck.
        raise InvalidInput(
            _("%(name)s's role cannot work tickets: choose an agent.") % {"name": assignee.name}, field="assignee"
        )
    old = ticket.assignee
    ticket.assignee = assignee
    data = {"assignee_id": getattr(assignee, "pk", None), "assignee_name": assignee.name if assignee else ""}
    data.update(extra or {})
    _event(ticket, actor, "assigned" if assignee else "unassigned", data, now)
    _audit_field(ticket, actor, "assignee", _label(old), _label(assignee))
    emit(TicketAssigned(ticket_id=ticket.pk, assignee_id=data["assignee_id"], actor_id=getattr(actor, "pk", None)))


def _change_tags(ticket: Ticket, actor, names, add: Sequence[str], now: datetime) -> bool:
    current = set(ticket.tags.values_list("name", flat=True))
    wanted = set(current if names is None else _clean_tag_names(names)) | set(_clean_tag_names(add))
    if wanted == current:
        return False
    ticket.tags.set(_tags_named(wanted))
    _event(ticket, actor, "tags_changed",
           {"added": sorted(wanted - current), "removed": sorted(current - wanted)}, now)
    _audit_field(ticket, actor, "tags", sorted(current), sorted(wanted))
    return True


def _clean_tag_names(names: Iterable[str]) -> list[str]:
    return [n.strip()[:50] for n in names if n and n.strip()]


def _tags_named(names: Iterable[str]) -> list[Tag]:
    tags = []
    for name in _clean_tag_names(names):
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    return tags


def clean_custom_fields(values: dict) -> dict:
    """Keep only known, active custom fields, with values of the right type."""
    if not isinstance(values, dict):
        raise InvalidInput(_("Custom fields must be an object of key: value."), field="custom_fields")
    if not values:
        return {}
    fields = {f.key: f for f in CustomField.objects.filter(is_active=True, key__in=list(values))}
    cleaned: dict = {}
    for key, value in values.items():
        spec = fields.get(key)
        if spec is None:
            raise InvalidInput(_("Unknown custom field: %(key)s") % {"key": key}, field="custom_fields")
        cleaned[key] = _clean_custom_value(spec, value)
    return cleaned


def _clean_custom_value(spec: CustomField, value):
    if value in (None, ""):
        return None
    if spec.kind == CustomFieldKind.NUMBER:
        try:
            return float(value) if "." in str(value) else int(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("%(field)s must be a number.") % {"field": spec.label}, field="custom_fields")
    if spec.kind == CustomFieldKind.CHECKBOX:
        return value in (True, "true", "on", "1", 1)
    if spec.kind == CustomFieldKind.CHOICE and str(value) not in [str(c) for c in spec.choices]:
        raise InvalidInput(_("%(value)s is not a choice of %(field)s.") % {"value": value, "field": spec.label},
                           field="custom_fields")
    if spec.kind == CustomFieldKind.DATE:
        from datetime import date

        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise InvalidInput(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": spec.label},
                               field="custom_fields")
    return str(value)[:1000]


def _event(ticket: Ticket, actor, event_type: str, data: dict, now: datetime) -> Message:
    """A system event in the timeline; the text is rendered (and translated) when shown."""
    return Message.objects.create(
        ticket=ticket, kind=MessageKind.EVENT, author_kind=AuthorKind.AGENT if actor else AuthorKind.SYSTEM,
        author=actor if getattr(actor, "pk", None) else None, event_type=event_type, event_data=data, created_at=now,
    )


# While `update_ticket` applies several changes, their audit rows (one per field) wait here to be written
# in one INSERT; anywhere else each is written at once.
_pending_audit: ContextVar[list | None] = ContextVar("kefu_tickets_pending_audit", default=None)


@contextmanager
def _audit_rows_together() -> Iterator[None]:
    rows: list = []
    token = _pending_audit.set(rows)
    try:
        yield
    finally:
        _pending_audit.reset(token)
    record_all(rows)  # only when the changes all went through; a refused one raised above


def _audit_field(ticket: Ticket, actor, name: str, old, new) -> None:
    entry = audit_entry(actor=actor, action="ticket.update", obj=ticket, changes={name: [old, new]})
    pending = _pending_audit.get()
    if pending is None:
        entry.save()
    else:
        pending.append(entry)


def _label(obj) -> str | None:
    return None if obj is None else str(obj)


def names_of(obj) -> dict | str | None:
    """A configuration row's names in both languages (`{"zh": …, "en": …}`) for event data, so each reader
    sees it in their own language (kefu.routing.texts.pick_name); whatever else as `str`."""
    if obj is None:
        return None
    if hasattr(obj, "name_en") and hasattr(obj, "name"):
        return {"zh": obj.name, "en": obj.name_en or obj.name}
    return str(obj)


def record_system_event(*, ticket: Ticket, event_type: str, data: dict, add_tags: Sequence[str] = ()) -> Message:
    """A timeline event the system itself records (an SLA escalation …), optionally adding tags; no actor."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        now = clock.now()
        message = _event(locked, None, event_type, data, now)
        fields = ["tags"] if add_tags and _change_tags(locked, None, None, add_tags, now) else []
        Ticket.objects.filter(pk=locked.pk).update(updated_at=now)
        emit(TicketUpdated(ticket_id=locked.pk, fields=("events", *fields), actor_id=None))
    return message
