"""Writing SLA policies: create or change one, switch it on or off, delete it, move it in the evaluation order.

Each write checks `accounts.manage_configuration`, validates with `check_policy` (also used by the Django
admin's form) into `InvalidInput` with a translated message, saves in one transaction and records an audit
row. Rows are saved one by one (never `QuerySet.update()`): the per-process policy cache
(kefu.core.config_cache) listens to their `post_save` / `post_delete` signals.

Tickets keep the clocks they have until their next update (a reply, a status, category or priority
change …), which picks the policy again and recomputes the due times.
"""

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from kefu.audit.services import record
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.customers.models import Tier
from kefu.sla.models import BusinessCalendar, SlaPolicy, TicketSla
from kefu.tickets.models import OPEN_STATUSES, Category, Channel, Priority, Severity

MANAGE_CONFIGURATION = "accounts.manage_configuration"
MAX_TARGET = timedelta(days=365)
POSITION_STEP = 10
CONDITION_FIELDS = ("categories", "priorities", "severities", "tiers", "channels")
TARGET_FIELDS = ("first_response", "next_response", "resolution", "escalate_after")
FLAG_FIELDS = ("is_active", "business_time", "escalate_on_warning", "escalate_on_breach")
POLICY_FIELDS = ("name", *CONDITION_FIELDS, *TARGET_FIELDS, *FLAG_FIELDS, "warning_percent", "calendar")


def _require(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.has_perm(MANAGE_CONFIGURATION)):
        raise NotAllowed()


# --- validation ----------------------------------------------------------------------------------


def known_codes() -> dict[str, set[str]]:
    """Condition field → the codes a ticket can have (two queries: categories and priorities)."""
    return {
        "categories": set(Category.objects.values_list("code", flat=True)),
        "priorities": set(Priority.objects.values_list("code", flat=True)),
        "severities": set(Severity.values),
        "tiers": set(Tier.values),
        "channels": set(Channel.values),
    }


def check_target(value: Any, field: str) -> timedelta | None:
    """A target duration: empty (no target), or more than zero and at most `MAX_TARGET`."""
    if value in (None, ""):
        return None
    if not isinstance(value, timedelta):
        raise InvalidInput(_("Give the target as a duration."), field=field)
    if value <= timedelta(0):
        raise InvalidInput(_("A target must be longer than zero."), field=field)
    if value > MAX_TARGET:
        raise InvalidInput(_("A target can be at most 365 days."), field=field)
    return value


def check_conditions(field: str, codes: Any, known: set[str]) -> list[str]:
    """A condition list of known codes, each once, in the order given (empty: any)."""
    if codes in (None, ""):
        return []
    if isinstance(codes, str) or not isinstance(codes, Iterable):
        raise InvalidInput(_("Conditions must be a list of codes."), field=field)
    cleaned: list[str] = []
    for code in codes:
        if not isinstance(code, str) or code not in known:
            raise InvalidInput(_("Unknown code in the conditions: %(code)s") % {"code": code}, field=field)
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def check_policy(values: Mapping[str, Any], known: Mapping[str, set[str]] | None = None) -> dict[str, Any]:
    """Every field of a policy, cleaned; the first problem is an `InvalidInput` naming its field.

    `values` must hold all of `POLICY_FIELDS` except `next_response` (kept as it is when left out).
    """
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    cleaned: dict[str, Any] = {}
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        raise InvalidInput(_("Give the policy a name."), field="name")
    if len(name) > 100:
        raise InvalidInput(_("A name has at most 100 characters."), field="name")
    cleaned["name"] = name
    known = known if known is not None else known_codes()
    for field in CONDITION_FIELDS:
        cleaned[field] = check_conditions(field, values.get(field), known[field])
    for field in TARGET_FIELDS:
        if field in values:
            cleaned[field] = check_target(values[field], field)
    targets = ("first_response", "next_response", "resolution", "escalate_after")
    if not any(cleaned.get(field) for field in targets):
        raise InvalidInput(_("Set at least one target."), field="first_response")
    percent = values.get("warning_percent")
    if isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 99:
        raise InvalidInput(_("Warn at a share of the target from 1 to 99%."), field="warning_percent")
    cleaned["warning_percent"] = percent
    for flag in FLAG_FIELDS:
        cleaned[flag] = bool(values.get(flag))
    calendar = values.get("calendar")
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise InvalidInput(_("Choose a calendar from the list."), field="calendar")
    if cleaned["business_time"] and calendar is None:
        raise InvalidInput(_("Choose the calendar whose working hours the targets count."), field="calendar")
    cleaned["calendar"] = calendar
    return cleaned


# --- writes --------------------------------------------------------------------------------------


def save_policy(*, actor, values: Mapping[str, Any], policy: SlaPolicy | None = None) -> SlaPolicy:
    """Create (no `policy`; it goes last in the order) or change an SLA policy."""
    _require(actor)
    cleaned = check_policy(values)
    with transaction.atomic():
        creating = policy is None
        if creating:
            policy = SlaPolicy()
            last = SlaPolicy.objects.aggregate(last=Max("position"))["last"]
            policy.position = (last or 0) + POSITION_STEP
        else:
            policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        before = {} if creating else _snapshot(policy)
        for name, value in cleaned.items():
            setattr(policy, name, value)
        policy.save()
        after = _snapshot(policy)
        changes = {
            name: [before.get(name), value] for name, value in after.items() if before.get(name) != value
        }
        if creating or changes:
            record(
                actor=actor,
                action="slapolicy.create" if creating else "slapolicy.update",
                obj=policy,
                changes=changes,
            )
    return policy


def set_active(*, actor, policy: SlaPolicy, active: bool) -> SlaPolicy:
    """Switch a policy on or off (an inactive policy matches no ticket)."""
    _require(actor)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        if policy.is_active != active:
            policy.is_active = active
            policy.save(update_fields=["is_active"])
            record(
                actor=actor,
                action="slapolicy.update",
                obj=policy,
                changes={"is_active": [not active, active]},
            )
    return policy


def delete_policy(*, actor, policy: SlaPolicy) -> None:
    """Delete a policy no open ticket runs on; one in use is refused (switch it off instead)."""
    _require(actor)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        in_use = open_tickets_by_policy([policy.pk])[policy.pk]
        if in_use:
            raise InvalidInput(
                _(
                    "%(count)s open tickets run on %(name)s; switch it off instead, or delete it when they are done."
                )
                % {"count": in_use, "name": policy.name}
            )
        record(actor=actor, action="slapolicy.delete", obj=policy, changes={"name": [policy.name, None]})
        policy.delete()


def move_policy(*, actor, policy: SlaPolicy, up: bool) -> None:
    """Swap a policy with its neighbour above (or below); positions are renumbered 10, 20, 30 …"""
    _require(actor)
    with transaction.atomic():
        rows = list(SlaPolicy.objects.select_for_update().order_by("position", "id"))
        index = next(i for i, row in enumerate(rows) if row.pk == policy.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(rows):
            return
        rows[index], rows[other] = rows[other], rows[index]
        for number, row in enumerate(rows, start=1):
            if row.position != number * POSITION_STEP:
                row.position = number * POSITION_STEP
                row.save(update_fields=["position"])  # one by one: the policy cache listens to post_save
        record(
            actor=actor,
            action="slapolicy.move",
            obj=rows[other],
            changes={"position": [index + 1, other + 1]},
        )


# --- reads ---------------------------------------------------------------------------------------


def open_tickets_by_policy(policy_ids: Iterable[int]) -> dict[int, int]:
    """Policy id → how many open tickets run their clocks on it, in one query."""
    ids = list(policy_ids)
    rows = (
        TicketSla.objects.filter(policy__in=ids, ticket__status__in=OPEN_STATUSES)
        .values("policy")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["policy"]: row["n"] for row in rows}
    return {pk: counts.get(pk, 0) for pk in ids}


def _snapshot(policy: SlaPolicy) -> dict[str, Any]:
    """JSON-safe values for the audit diff (durations in seconds, the calendar by name)."""
    values: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        value = getattr(policy, name)
        if isinstance(value, timedelta):
            value = int(value.total_seconds())
        elif isinstance(value, BusinessCalendar):
            value = value.name
        values[name] = value
    return values
