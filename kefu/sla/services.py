"""SLA services: pick a ticket's policy, keep its clocks current, sweep due deadlines, escalate."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kefu.accounts import roles
from kefu.accounts.models import Level as UserLevel
from kefu.accounts.models import Team, User
from kefu.core import clock as wall
from kefu.core import config_cache
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.core.events import emit
from kefu.core.prepared import prepared
from kefu.sla import rules
from kefu.sla.events import SlaBreached, SlaWarned, TicketEscalated
from kefu.sla.models import BusinessCalendar, Escalation, Level, SlaEvent, SlaPolicy, SlaTarget, TicketSla
from kefu.tickets.access import require_work
from kefu.tickets.models import Status, Ticket
from kefu.tickets.services import assign_ticket, record_system_event

log = logging.getLogger(__name__)
PAUSED_STATUSES = (Status.PENDING,)  # waiting on the customer
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)
COMPLAINT = "complaint"
ESCALATED_TAG = "已升级"  # the tag that marks escalated tickets in every queue
SUPERVISOR_ROLES = (roles.SUPERVISOR, roles.TECH_SUPPORT_SUPERVISOR)
# What reading a stored calendar raises when it is malformed (ZoneInfoNotFoundError is a KeyError).
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, OSError)


def calendar_rules(calendar: BusinessCalendar | None) -> rules.Calendar:
    """The pure calendar for a stored one (None: around the clock); a malformed one raises `_UNREADABLE`."""
    if calendar is None or calendar.always_open:
        return rules.ALWAYS
    dates = list(calendar.dates.all())
    return rules.Calendar(
        tz=ZoneInfo(calendar.time_zone),
        hours=rules.parse_hours(calendar.hours or {}),
        use_china_holidays=calendar.use_china_holidays,
        holidays=frozenset(d.date for d in dates if not d.is_working_day),
        workdays=frozenset(d.date for d in dates if d.is_working_day),
    )


def readable_calendar_rules(calendar: BusinessCalendar | None) -> rules.Calendar:
    """`calendar_rules` for background jobs: a stored calendar that cannot be read (an unknown time zone,
    malformed hours written past the forms) is logged and counts as around the clock, like no calendar. SLA
    deadlines then come no later than meant and agents stay assignable, instead of every job that reads the
    calendars failing."""
    try:
        return calendar_rules(calendar)
    except _UNREADABLE as error:
        log.error(
            "Business calendar %s (%s) cannot be read, used as around the clock: %r",
            calendar.pk,
            calendar.name,
            error,
        )
        return rules.ALWAYS


def policy_clock(policy: SlaPolicy) -> rules.Calendar:
    return readable_calendar_rules(policy.calendar) if policy.business_time else rules.ALWAYS


def calendar_clocks() -> dict[int, rules.Calendar]:
    """Every business calendar as its pure calendar, by id (kept per process until configuration changes)."""
    return config_cache.get("sla.calendar_clocks", _load_calendar_clocks)


def _load_calendar_clocks() -> dict[int, rules.Calendar]:
    return {
        cal.pk: readable_calendar_rules(cal) for cal in BusinessCalendar.objects.prefetch_related("dates")
    }


PolicyEntry = tuple[SlaPolicy, rules.Conditions, rules.Calendar]


def active_policies() -> tuple[PolicyEntry, ...]:
    """The active policies by position, each with its conditions and clock (kept per process)."""
    return config_cache.get("sla.active_policies", _load_active_policies)


def _load_active_policies() -> tuple[PolicyEntry, ...]:
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("calendar__dates")
    )
    return tuple(
        (
            policy,
            rules.Conditions(
                policy.categories, policy.priorities, policy.severities, policy.tiers, policy.channels
            ),
            policy_clock(policy),
        )
        for policy in policies
    )


def pick_policy(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions match the ticket."""
    return _pick(ticket)[0]


def _pick(ticket: Ticket) -> tuple[SlaPolicy | None, rules.Calendar]:
    """The matching policy and its clock (around the clock without a policy)."""
    facts = rules.Facts(
        category=ticket.category.code if ticket.category_id else None,
        priority=ticket.priority.code if ticket.priority_id else None,
        severity=ticket.severity,
        tier=ticket.customer.tier,
        channel=ticket.channel,
    )
    for policy, conditions, cal in active_policies():
        if conditions.match(facts):
            return policy, cal
    return None, rules.ALWAYS


@transaction.atomic
def apply_policy(*, ticket: Ticket, now: datetime | None = None) -> TicketSla | None:
    """Create or refresh the ticket's SLA clocks: policy, pause/resume, met targets, next deadline.

    Returns None (and stores nothing) for a ticket that no policy covers and that never had clocks.
    """
    return _apply(_with_facts().get(pk=ticket.pk), now or wall.now())


@transaction.atomic
def refresh_clocks(*, ticket_id: int, now: datetime | None = None) -> TicketSla | None:
    """`apply_policy` for a ticket known by its id (listeners): reads it once; nothing when it is gone."""
    ticket = _ticket_with_facts.first(ticket_id)
    return _apply(ticket, now or wall.now()) if ticket is not None else None


def only_row(queryset):
    """The row of a query by primary key, or None, without the model's default ordering (a ticket's
    ORDER BY costs a per-ticket job ~0.1–0.3 ms of CPU to compile, for nothing)."""
    return next(iter(queryset.order_by()[:1]), None)


def _with_facts():
    return Ticket.objects.select_related("category", "priority", "customer")


@prepared(int)
def _ticket_with_facts(ticket_id):
    return _with_facts().filter(pk=ticket_id).order_by()[:1]


@prepared(int)
def _clocks_for_update(ticket_id):
    return TicketSla.objects.select_for_update().filter(ticket_id=ticket_id).order_by()[:1]


@prepared(int)
def _reopened_count(ticket_id):
    return Ticket.objects.filter(pk=ticket_id).values_list("reopened_count", flat=True).order_by()[:1]


@transaction.atomic
def refresh_clocks_many(*, ticket_ids: list[int], now: datetime | None = None) -> None:
    """`refresh_clocks` for many tickets at once (a batch of new tickets' jobs): two reads and one INSERT for
    all of them; the clocks' rows are locked in ticket order. Clocks already there (a job run again) are
    saved one by one: rare, and cheaper so than Django's bulk UPDATE of every column."""
    now = now or wall.now()
    ids = sorted(set(ticket_ids))
    tickets = list(_with_facts().filter(pk__in=ids).order_by("pk"))
    stored = TicketSla.objects.select_for_update().filter(ticket_id__in=ids).order_by("ticket_id")
    existing = {sla.ticket_id: sla for sla in stored}
    computed = [(ticket.pk in existing, _clocks(ticket, existing.get(ticket.pk), now)) for ticket in tickets]
    TicketSla.objects.bulk_create([sla for old, sla in computed if sla is not None and not old])
    for sla in (sla for old, sla in computed if old):
        sla.save()


def _apply(ticket: Ticket, now: datetime) -> TicketSla | None:
    stored = _clocks_for_update.first(ticket.pk)
    before = _clock_values(stored) if stored is not None else None
    sla = _clocks(ticket, stored, now)
    if sla is None:
        return None
    if before is None:
        sla.save()
    else:
        # Only the columns that changed (a chat's first answer: the met flag and the next deadline), none when
        # nothing did: the row is locked, and an UPDATE of every column cost ~40% of a refresh's CPU.
        changed = [name for name, value in before.items() if getattr(sla, name) != value]
        if changed:
            sla.save(update_fields=changed)
    return sla


def _clock_values(sla: TicketSla) -> dict:
    """The stored clocks' columns by attribute name (`policy_id`), to tell which ones a refresh changed."""
    return {field.attname: getattr(sla, field.attname) for field in TicketSla._meta.concrete_fields}


def _clocks(ticket: Ticket, sla: TicketSla | None, now: datetime) -> TicketSla | None:
    """The ticket's clocks as they should be (`sla`: as stored), not saved; None: no policy, no clocks."""
    policy, cal = _pick(ticket)
    if sla is None:
        if policy is None:
            return None
        sla = TicketSla(ticket=ticket)
    sla.policy = policy
    _track_pause(sla, ticket, cal, now)
    sla.first_response_met = ticket.first_response_at is not None
    sla.resolution_met = ticket.status in DONE_STATUSES
    _set_times(sla, ticket, policy, cal)
    sla.next_deadline = None if sla.paused_since else rules.next_deadline(pending_moments(sla))
    return sla


def _track_pause(sla: TicketSla, ticket: Ticket, cal: rules.Calendar, now: datetime) -> None:
    paused = ticket.status in PAUSED_STATUSES
    if paused and sla.paused_since is None:
        sla.paused_since = now
    elif not paused and sla.paused_since is not None:
        spent = rules.working_time_between(sla.paused_since, now, cal)
        sla.paused_seconds += int(spent.total_seconds())
        sla.paused_since = None


def _set_times(sla: TicketSla, ticket: Ticket, policy: SlaPolicy | None, cal: rules.Calendar) -> None:
    paused = timedelta(seconds=sla.paused_seconds)
    percent = policy.warning_percent if policy else 0

    def times(target: timedelta | None) -> rules.Clock:
        return rules.clock(
            start=ticket.created_at, target=target, paused=paused, warning_percent=percent, cal=cal
        )

    first = times(policy.first_response if policy else None)
    resolution = times(policy.resolution if policy else None)
    sla.first_response_warn_at, sla.first_response_due = first.warn_at, first.due
    sla.resolution_warn_at, sla.resolution_due = resolution.warn_at, resolution.due
    escalate_after = policy.escalate_after if policy else None
    sla.escalation_due = (
        rules.add_working_time(ticket.created_at, escalate_after, rules.ALWAYS) if escalate_after else None
    )


def pending_moments(sla: TicketSla) -> list[datetime | None]:
    """The moments the sweeper still has to act on, from the stored clocks and flags."""
    moments: list[datetime | None] = []
    if sla.resolution_met:
        return moments  # a solved ticket owes nothing more
    if not sla.first_response_met:
        moments += [
            None if sla.first_response_warned else sla.first_response_warn_at,
            None if sla.first_response_breached else sla.first_response_due,
        ]
    if not sla.resolution_met:
        moments += [
            None if sla.resolution_warned else sla.resolution_warn_at,
            None if sla.resolution_breached else sla.resolution_due,
        ]
        moments.append(None if sla.escalated else sla.escalation_due)
    return moments


# --- the sweeper ------------------------------------------------------------------------------------


def sweep_sla(*, now: datetime | None = None, batch: int = 500, chunk: int = 50) -> int:
    """Handle every ticket whose next deadline has passed; returns how many rows this worker claimed.

    Reads only due rows (indexed `next_deadline`); each is claimed with a conditional update on the
    deadline it was read with, so several workers never handle the same deadline twice. Rows are handled
    `chunk` at a time in one transaction: one commit, and the warnings and breaches of the whole chunk
    reach their listeners as one background job (kefu.core.events batches a transaction's events) instead
    of a job, a commit and a savepoint per ticket. A chunk that fails is redone row by row, so one bad
    row cannot hold back the others.
    """
    now = now or wall.now()
    due = list(
        TicketSla.objects.filter(next_deadline__lte=now)
        .order_by("next_deadline")
        .values_list("pk", "next_deadline")[:batch]
    )
    claimed = 0
    for start in range(0, len(due), chunk):
        part = due[start : start + chunk]
        try:
            with transaction.atomic():
                # The chunk's rows locked and read in one query; each is still claimed on its own.
                rows = TicketSla.objects.select_for_update().in_bulk([pk for pk, _deadline in part])
                claimed += sum(_claim_and_handle(pk, deadline, now, rows.get(pk)) for pk, deadline in part)
        except Exception:
            log.exception("SLA sweep: a chunk failed, handling its rows one by one")
            claimed += _sweep_one_by_one(part, now)
    return claimed


def _claim_and_handle(pk: int, deadline: datetime, now: datetime, row: TicketSla | None = None) -> bool:
    """Claim one due row (False when another worker got there first, or the clocks changed) and act on it.

    `row`: the row already read under its lock (it cannot change before this transaction ends)."""
    if not TicketSla.objects.filter(pk=pk, next_deadline=deadline).update(next_deadline=None):
        return False
    _handle_due(row if row is not None else TicketSla.objects.select_for_update().get(pk=pk), now)
    return True


def _sweep_one_by_one(part: list[tuple[int, datetime]], now: datetime) -> int:
    claimed = 0
    for pk, deadline in part:
        try:
            with transaction.atomic():
                claimed += _claim_and_handle(pk, deadline, now)
        except Exception:
            log.exception("SLA sweep: ticket SLA %s failed; it stays due", pk)
    return claimed


def _handle_due(sla: TicketSla, now: datetime) -> None:
    checks = []
    if not sla.first_response_met and not sla.resolution_met:
        checks += [
            (
                SlaTarget.FIRST_RESPONSE,
                SlaEvent.Kind.WARNING,
                "first_response_warned",
                sla.first_response_warn_at,
            ),
            (
                SlaTarget.FIRST_RESPONSE,
                SlaEvent.Kind.BREACH,
                "first_response_breached",
                sla.first_response_due,
            ),
        ]
    if not sla.resolution_met:
        checks += [
            (SlaTarget.RESOLUTION, SlaEvent.Kind.WARNING, "resolution_warned", sla.resolution_warn_at),
            (SlaTarget.RESOLUTION, SlaEvent.Kind.BREACH, "resolution_breached", sla.resolution_due),
            (SlaTarget.ESCALATION, SlaEvent.Kind.BREACH, "escalated", sla.escalation_due),
        ]
    for target, kind, flag, moment in checks:
        if moment is None or moment > now or getattr(sla, flag):
            continue
        setattr(sla, flag, True)
        if _record_event(sla.ticket_id, target, kind, moment, now):
            event = SlaWarned if kind == SlaEvent.Kind.WARNING else SlaBreached
            emit(event(ticket_id=sla.ticket_id, target=target))
    sla.next_deadline = None if sla.paused_since else rules.next_deadline(pending_moments(sla))
    sla.save()


def _record_event(ticket_id: int, target: str, kind: str, due: datetime, now: datetime) -> bool:
    try:
        with transaction.atomic():
            SlaEvent.objects.create(ticket_id=ticket_id, target=target, kind=kind, due=due, at=now)
    except IntegrityError:
        return False  # already recorded (a reopened ticket's second breach of the same target)
    return True


# --- escalation -------------------------------------------------------------------------------------

NEXT_LEVEL = {Level.L1: Level.L2, Level.L2: Level.SUPERVISOR, Level.SUPERVISOR: Level.SUPERVISOR}
# Automatic reasons are stored as codes and told as sentences in the reader's language.
REOPENED = "reopened"
RULE_REASON = "rule:"  # followed by the intake rule's name
REOPENS_BEFORE_ESCALATION = 2
SENIOR_LEVELS = (UserLevel.L2, UserLevel.L3)


def current_level(ticket: Ticket) -> str:
    last = (
        Escalation.objects.filter(ticket=ticket)
        .order_by("-created_at", "-id")
        .values_list("to_level", flat=True)
    )
    return next(iter(last[:1]), Level.L1)


@transaction.atomic
def escalate_ticket(
    *, ticket: Ticket, actor, reason: str, to_level: str | None = None, assignee: User | None = None
) -> Escalation:
    """Move a ticket up one service level (or straight to `to_level`); actor None means automatic.

    An agent must be allowed to work the ticket, give a reason, and cannot go past the top level.
    Routing then hands the ticket to the new level's people (kefu.routing.services.escalation), unless a
    supervisor names the `assignee` here (needs `tickets.assign_ticket`): then it goes to that person now.
    """
    reason = " ".join((reason or "").split())[:255]
    if actor is not None:
        require_work(actor, ticket)
        if not reason:
            raise InvalidInput(_("Say why the ticket needs escalating."), field="reason")
    if assignee is not None and not (actor is not None and actor.has_perm("tickets.assign_ticket")):
        raise NotAllowed(_("Only supervisors choose who takes an escalated ticket."))
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ticket.pk)
    from_level = Level(current_level(ticket))
    target = Level(to_level) if to_level else NEXT_LEVEL[from_level]
    if actor is not None and target.rank <= from_level.rank:
        raise InvalidInput(_("The ticket is already at the highest level."))
    created_at = wall.now()
    escalation = Escalation.objects.create(
        ticket=ticket,
        from_level=from_level,
        to_level=target,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        created_at=created_at,
        from_assignee=locked.assignee,
        # a supervisor's choice: routing leaves it alone (routed_at is set)
        to_assignee=assignee,
        routed_at=created_at if assignee is not None else None,
    )
    record_system_event(
        ticket=ticket,
        event_type="escalated",
        add_tags=[ESCALATED_TAG],
        data={
            "from": escalation.from_level,
            "to": escalation.to_level,
            "reason": reason,
            # system events carry no author; the timeline names the agent from here
            "actor_id": getattr(escalation.actor, "pk", None),
            "actor_name": escalation.actor.name if escalation.actor else "",
        },
    )
    if assignee is not None:
        assign_ticket(ticket=locked, actor=actor, assignee=assignee)
    emit(TicketEscalated(ticket_id=ticket.pk, escalation_id=escalation.pk))
    return escalation


def escalate_automatically(*, ticket: Ticket, reason: str, to_level: str | None = None) -> Escalation | None:
    """A rule (SLA, reopen, intake) escalates: never past the top, never down, never a solved ticket."""
    with transaction.atomic():
        # Under the ticket's row lock: two jobs escalating at once (a breach and a reopen) read the level
        # one after the other, so the second sees the first's escalation and does not record it again.
        ticket = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        if ticket is None or ticket.status in DONE_STATUSES:
            return None
        from_level = Level(current_level(ticket))
        target = Level(to_level) if to_level else NEXT_LEVEL[from_level]
        if target.rank <= from_level.rank:
            return None
        return escalate_ticket(ticket=ticket, actor=None, reason=reason, to_level=target)


def _policy_of(ticket_id: int) -> SlaPolicy | None:
    sla = TicketSla.objects.select_related("policy").filter(ticket_id=ticket_id).first()
    return sla.policy if sla else None


def escalate_on_breach(*, ticket_id: int, target: str) -> Escalation | None:
    """A missed target moves a complaint (or a ticket whose policy says so) up a level; the escalation
    timer sends the ticket to a supervisor."""
    ticket = Ticket.objects.select_related("category").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    if target == SlaTarget.ESCALATION:
        return escalate_automatically(ticket=ticket, reason=f"sla:{target}", to_level=Level.SUPERVISOR)
    policy = _policy_of(ticket_id)
    is_complaint = ticket.category_id and ticket.category.code == COMPLAINT
    if is_complaint or (policy is not None and policy.escalate_on_breach):
        return escalate_automatically(ticket=ticket, reason=f"sla:{target}")
    return None


def escalate_on_warning(*, ticket_id: int, target: str) -> Escalation | None:
    """A target about to be missed moves the ticket up a level when its policy asks for it."""
    policy = _policy_of(ticket_id)
    if policy is None or not policy.escalate_on_warning:
        return None  # most policies: decided without reading the ticket (every warning asks)
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return None
    return escalate_automatically(ticket=ticket, reason=f"sla_warning:{target}")


def escalate_on_reopen(*, ticket_id: int) -> Escalation | None:
    """The second time a ticket is reopened it goes up a level (once: later reopens do not repeat it)."""
    reopened = _reopened_count.first(ticket_id)
    if reopened is None or reopened < REOPENS_BEFORE_ESCALATION:
        return None  # most messages: decided by one narrow read
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return None
    if Escalation.objects.filter(ticket=ticket, reason=REOPENED, actor__isnull=True).exists():
        return None
    return escalate_automatically(ticket=ticket, reason=REOPENED)


def level_people(team: Team, level: str) -> list[int] | None:
    """Who serves `team`'s tickets at a service level (None: every member) — the one definition, used by
    assignment, escalation routing (kefu.routing) and the escalation's notifications (`escalation_targets`).

    L1: every member. L2: the team's senior agents (the role, or level L2/L3); a team other teams name as
    their L2 team is all L2. Supervisor level: the team's supervisors and its lead. Active staff only.
    """
    if level == Level.L1:
        return None
    staff = User.objects.filter(is_active=True, is_staff=True)
    if level == Level.L2:
        if Team.objects.filter(escalation_team=team).exists():
            return None
        found = staff.filter(Q(groups__name=roles.SENIOR_AGENT) | Q(level__in=SENIOR_LEVELS), teams=team)
    else:
        found = staff.filter(groups__name__in=SUPERVISOR_ROLES, teams=team)
        if team.lead_id:
            found = found | staff.filter(pk=team.lead_id)
    return sorted(set(found.values_list("pk", flat=True)))


def escalation_targets(ticket: Ticket, level: str) -> list:
    """Who hears of an escalation: at L1 the assignee; above, the level's people of the ticket's team
    (`level_people`) and its lead; with nobody there, every supervisor. Active staff only."""
    if level == Level.L1:
        return [ticket.assignee] if ticket.assignee_id and ticket.assignee.is_active else []
    staff = User.objects.filter(is_active=True, is_staff=True)
    team = ticket.team
    people = []
    if team:
        ids = level_people(team, level)
        found = staff.filter(teams=team) if ids is None else staff.filter(pk__in=ids)
        if team.lead_id:
            found = found | staff.filter(pk=team.lead_id)
        people = list(found.distinct().order_by("pk"))
    if not people:
        people = list(staff.filter(groups__name__in=SUPERVISOR_ROLES).distinct().order_by("pk"))
    return people


def supervisors_of(ticket: Ticket) -> list:
    """The supervisors of the ticket's team (every supervisor when it has none)."""
    staff = User.objects.filter(is_active=True, is_staff=True, groups__name__in=SUPERVISOR_ROLES)
    found = list(staff.filter(teams=ticket.team_id).distinct()) if ticket.team_id else []
    return found or list(staff.distinct())


# --- defaults ---------------------------------------------------------------------------------------

H = timedelta(hours=1)
OFFICE, ALWAYS_OPEN, CALENDAR_TIME = "office", "always", None
DEFAULT_POLICIES = [
    # (name, conditions (and escalation switches), first response, resolution, escalate after, clock)
    (
        "重大投诉 Major complaint",
        {"categories": [COMPLAINT], "severities": ["major"], "escalate_on_warning": True},
        H,
        48 * H,
        2 * H,
        CALENDAR_TIME,
    ),
    ("投诉 Complaint", {"categories": [COMPLAINT]}, 4 * H, 48 * H, None, CALENDAR_TIME),
    ("在线聊天 Chat", {"channels": ["chat", "wechat"]}, timedelta(seconds=30), 3 * 24 * H, None, ALWAYS_OPEN),
    ("紧急 Urgent", {"priorities": ["urgent"]}, H, 8 * H, None, OFFICE),
    ("标准 Standard", {}, 4 * H, 3 * 8 * H, None, OFFICE),  # 4 business hours; 3 business days of 8 h
]


@transaction.atomic
def ensure_default_policies() -> list[SlaPolicy]:
    """Create the default calendars (office hours, 24/7) and policies if there are no policies yet."""
    calendars = {
        OFFICE: BusinessCalendar.objects.get_or_create(name="工作日 Office hours")[0],
        ALWAYS_OPEN: BusinessCalendar.objects.get_or_create(
            name="全天 24/7", defaults={"always_open": True, "use_china_holidays": False, "hours": {}}
        )[0],
    }
    if SlaPolicy.objects.exists():
        return list(SlaPolicy.objects.all())
    return [
        SlaPolicy.objects.create(
            name=name,
            position=position * 10,
            first_response=first,
            resolution=resolution,
            escalate_after=escalate,
            business_time=clock_name is not CALENDAR_TIME,
            calendar=calendars.get(clock_name) if clock_name else None,
            **conditions,
        )
        for position, (name, conditions, first, resolution, escalate, clock_name) in enumerate(
            DEFAULT_POLICIES
        )
    ]
