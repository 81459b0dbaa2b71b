"""Assignment strategies: which agent gets a team's new ticket, and taking tickets back from absent agents.

Each team chooses (`Team.assignment_strategy`): manual (agents pick from the queue; nothing here acts),
round-robin, fewest open tickets, or best skill match (category, customer language, channel, and the
customer's tier against the agent's level). `Team.max_open_per_agent` caps how many open tickets
automatic assignment lets an agent hold (0: no cap). Supervisors still assign by hand with
`tickets.services.assign_ticket`, past any cap.

Who is "on shift": an active staff member of the team whose presence is *online*, and — when the team
has shift hours (`Team.shift_calendar`, a business calendar of kefu.sla) — only while that calendar is
open. Presence is what an agent controls in the moment (coming back from lunch, leaving early); the
calendar guards against the forgotten "online" at night and on holidays (调休 included). *Away* means a
short break: nothing new is given, nothing is taken back. Going *offline* (or being deactivated) gives
back the agent's unstarted tickets — status new, never answered — which are re-assigned at once or wait
in the team's pool. So does being over the cap after a manual assignment (newest unstarted first).
The pool is drained when an agent comes online, when a ticket is solved or closed, and when a ticket
moves to another team.

Concurrency: every decision is one transaction that locks the team row first (decisions for one team
are serialised, the round-robin pointer moves under that lock), then the ticket row (a ticket someone
else assigned meanwhile is left alone), then the chosen agent's row, recounting their load (two teams
sharing an agent cannot both push them past a cap). Lock order is always team → ticket → agent.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from kefu.accounts.events import PresenceChanged, UserDeactivated
from kefu.accounts.models import AssignmentStrategy, Level, Presence, Team, User
from kefu.core import clock
from kefu.sla import rules as sla_rules
from kefu.sla.services import calendar_rules
from kefu.tickets import services as tickets
from kefu.tickets.events import TicketAssigned, TicketCreated, TicketUpdated
from kefu.tickets.models import OPEN_STATUSES, Status, Ticket

POOL_STATUSES = (Status.NEW, Status.OPEN)  # what automatic assignment hands out
BATCH = 100  # tickets one pass looks at (a pass is re-run by the next trigger)

# --- pure choice: no ORM below this line until "the database" ----------------------------------------

LEVEL_RANK = {Level.L1: 1, Level.L2: 2, Level.L3: 3}
TIER_LEVEL = {"normal": 1, "vip": 2, "svip": 3}  # customer tier -> the level that should serve it


@dataclass(frozen=True)
class Candidate:
    """An agent who may get the ticket now: id, open tickets held, level and skills."""

    pk: int
    load: int
    level: str = Level.L1
    skills: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Need:
    """What the ticket asks of an agent (None: no preference)."""

    category: str | None = None
    language: str | None = None
    channel: str | None = None
    tier: str | None = None


def round_robin(candidates: Sequence[Candidate], cursor: int) -> Candidate | None:
    """The next agent by id after the one who got the last ticket, wrapping around."""
    ordered = sorted(candidates, key=lambda c: c.pk)
    return next((c for c in ordered if c.pk > cursor), ordered[0] if ordered else None)


def least_open(candidates: Sequence[Candidate], cursor: int = 0) -> Candidate | None:
    """The agent with the fewest open tickets; ties go round-robin from the cursor."""
    if not candidates:
        return None
    fewest = min(c.load for c in candidates)
    return round_robin([c for c in candidates if c.load == fewest], cursor)


def skill_score(candidate: Candidate, need: Need) -> int | None:
    """How well the agent fits; None when a skill they list rules the ticket out.

    A listed skill that matches counts 10; an agent who lists nothing for a dimension is a generalist
    (0). Levels: reaching the tier's level counts 5, each level above it costs 1 (keep experts free),
    each level short costs 5.
    """
    score = 0
    for key, wanted in (
        ("categories", need.category),
        ("languages", need.language),
        ("channels", need.channel),
    ):
        listed = [str(v).lower() for v in (candidate.skills.get(key) or [])]
        if not wanted or not listed:
            continue
        if wanted.lower() not in listed:
            return None
        score += 10
    required = TIER_LEVEL.get(need.tier or "normal", 1)
    rank = LEVEL_RANK.get(candidate.level, 1)
    score += 5 - (rank - required) if rank >= required else -5 * (required - rank)
    return score


def best_skill(candidates: Sequence[Candidate], need: Need, cursor: int = 0) -> Candidate | None:
    """The best-scoring agent, then the least loaded; None when everyone's listed skills rule them out."""
    scored = [(skill_score(c, need), c) for c in candidates]
    fitting = [(s, c) for s, c in scored if s is not None]
    if not fitting:
        return None
    top = max(s for s, _c in fitting)
    return least_open([c for s, c in fitting if s == top], cursor)


def choose(
    strategy: str, candidates: Sequence[Candidate], *, cursor: int, need: Need
) -> tuple[Candidate | None, str]:
    """The agent for a ticket and the reason the timeline shows (the strategy that decided)."""
    if strategy == AssignmentStrategy.ROUND_ROBIN:
        return round_robin(candidates, cursor), strategy
    if strategy == AssignmentStrategy.LEAST_OPEN:
        return least_open(candidates, cursor), strategy
    if strategy == AssignmentStrategy.SKILLS:
        picked = best_skill(candidates, need, cursor)
        if picked is not None:
            return picked, strategy
        # Nobody's skills fit: the customer is better served by anyone on shift than by no one.
        return least_open(candidates, cursor), AssignmentStrategy.LEAST_OPEN
    return None, strategy


def on_shift(cal: sla_rules.Calendar, now: datetime) -> bool:
    """Whether the calendar is open at `now`."""
    return sla_rules.working_time_between(now, now + timedelta(seconds=1), cal) > timedelta(0)


# --- the database --------------------------------------------------------------------------------------


def candidates(team: Team, *, now: datetime | None = None, exclude: Iterable[int] = ()) -> list[Candidate]:
    """The team's members on shift with room under the cap, with their open-ticket load (all teams)."""
    if team.shift_calendar_id and not on_shift(calendar_rules(team.shift_calendar), now or clock.now()):
        return []
    # A correlated count per member walks the partial index of open tickets by assignee, however much
    # closed history the agents have.
    open_count = (
        Ticket.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    agents = (
        User.objects.filter(teams=team, is_active=True, is_staff=True, presence=Presence.ONLINE)
        .exclude(pk__in=list(exclude))
        .annotate(load=Coalesce(Subquery(open_count), 0))
        .values_list("pk", "load", "level", "skills")
    )
    if team.max_open_per_agent:
        agents = agents.filter(load__lt=team.max_open_per_agent)
    return [Candidate(pk, load, level, skills or {}) for pk, load, level, skills in agents.order_by("pk")]


def open_load(user_id: int) -> int:
    return Ticket.objects.open().filter(assignee_id=user_id).count()


def need_of(ticket: Ticket) -> Need:
    facts = (
        Ticket.objects.filter(pk=ticket.pk)
        .values_list("category__code", "customer__language", "channel", "customer__tier")
        .first()
    )
    return Need(*facts) if facts else Need()


def assign_new_ticket(*, ticket_id: int, now: datetime | None = None) -> Ticket | None:
    """Give an unassigned ticket in the pool to an agent by its team's strategy; None: it stays in the pool."""
    with transaction.atomic():
        team = _lock_team_of(ticket_id)
        if team is None:
            return None
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if (
            ticket is None
            or ticket.team_id != team.pk
            or ticket.assignee_id
            or ticket.status not in POOL_STATUSES
        ):
            return None
        return _give(team, ticket, now=now)


def release_agent(*, user_id: int, reason: str = "offline") -> int:
    """Take back the agent's unstarted tickets of automatically assigning teams and re-assign them."""
    ids = list(
        _unstarted(user_id)
        .exclude(team__assignment_strategy=AssignmentStrategy.MANUAL)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(_take_back(ticket_id, user_id, reason) for ticket_id in ids)


def rebalance_agent(*, user_id: int, keep: int | None = None) -> int:
    """An agent over a team's cap gives back their newest unstarted tickets of that team (never `keep`)."""
    moved = 0
    teams = Team.objects.filter(members=user_id, max_open_per_agent__gt=0).exclude(
        assignment_strategy=AssignmentStrategy.MANUAL
    )
    for team in teams:
        excess = open_load(user_id) - team.max_open_per_agent
        if excess <= 0:
            continue
        ids = (
            _unstarted(user_id)
            .filter(team=team)
            .exclude(pk=keep)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:excess]
        )
        moved += sum(_take_back(ticket_id, user_id, "overloaded") for ticket_id in list(ids))
    return moved


def fill_pool(*, team_id: int, now: datetime | None = None) -> int:
    """Assign the team's waiting tickets, oldest first, while agents have room; returns how many."""
    team = Team.objects.select_related("shift_calendar").filter(pk=team_id).first()
    if team is None or team.assignment_strategy == AssignmentStrategy.MANUAL or not candidates(team, now=now):
        return 0
    waiting = (
        Ticket.objects.filter(team_id=team_id, assignee__isnull=True, status__in=POOL_STATUSES)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    assigned = 0
    for ticket_id in list(waiting):
        if not assign_new_ticket(ticket_id=ticket_id, now=now):
            break  # nobody on shift has room (skills fall back to anyone, so they fail only then too)
        assigned += 1
    return assigned


def fill_all_pools(*, now: datetime | None = None) -> int:
    """Every automatically assigning team: spill agents over a (lowered) cap, then serve the pool."""
    teams = list(Team.objects.exclude(assignment_strategy=AssignmentStrategy.MANUAL))
    for team in teams:
        if team.max_open_per_agent:
            for user_id in _members_over_cap(team):
                rebalance_agent(user_id=user_id)
    return sum(fill_pool(team_id=team.pk, now=now) for team in teams)


def _members_over_cap(team: Team) -> list[int]:
    over = (
        Ticket.objects.open().filter(assignee__teams=team)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .filter(n__gt=team.max_open_per_agent)
    )
    return [row["assignee"] for row in over]


@shared_task(name="kefu.routing.fill_pools")
def fill_pools_task() -> int:
    """Periodic (kefu.config.celery beat_schedule): assign what waits in the pools."""
    return fill_all_pools()


def _lock_team_of(ticket_id: int) -> Team | None:
    team_id = Ticket.objects.filter(pk=ticket_id).values_list("team_id", flat=True).first()
    if team_id is None:
        return None
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None or team.assignment_strategy == AssignmentStrategy.MANUAL:
        return None
    return team


def _give(team: Team, ticket: Ticket, *, now: datetime | None, exclude: Iterable[int] = ()) -> Ticket | None:
    """Under the team and ticket locks: pick an agent, lock and recheck them, assign, move the pointer."""
    pool = candidates(team, now=now, exclude=exclude)
    need = need_of(ticket) if team.assignment_strategy == AssignmentStrategy.SKILLS else Need()
    while pool:
        picked, reason = choose(team.assignment_strategy, pool, cursor=team.assignment_cursor, need=need)
        if picked is None:
            return None
        agent = User.objects.select_for_update().get(pk=picked.pk)
        if not team.max_open_per_agent or open_load(agent.pk) < team.max_open_per_agent:
            ticket = tickets.assign_by_routing(ticket=ticket, assignee=agent, reason=reason)
            if ticket.assignee_id != agent.pk:
                return None  # someone else got there first
            Team.objects.filter(pk=team.pk).update(assignment_cursor=agent.pk)
            team.assignment_cursor = agent.pk
            return ticket
        pool = [c for c in pool if c.pk != picked.pk]  # another team filled them up meanwhile
    return None


def _unstarted(user_id: int):
    return Ticket.objects.filter(assignee_id=user_id, status=Status.NEW, first_response_at__isnull=True)


def _take_back(ticket_id: int, user_id: int, reason: str) -> bool:
    """Return one ticket to the pool and re-assign it to someone else in the same transaction."""
    with transaction.atomic():
        team = _lock_team_of(ticket_id)
        if team is None:
            return False
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        unstarted = ticket is not None and ticket.status == Status.NEW and ticket.first_response_at is None
        if not unstarted or ticket.assignee_id != user_id or ticket.team_id != team.pk:
            return False
        ticket = tickets.assign_by_routing(ticket=ticket, assignee=None, reason=reason)
        _give(team, ticket, now=None, exclude=[user_id])
        return True


# --- listeners (wired in kefu.config.listeners) ---------------------------------------------------------


def ticket_created(event: TicketCreated) -> None:
    """Serve the team's pool oldest first: the new ticket gets an agent unless older ones wait."""
    team_id = Ticket.objects.filter(pk=event.ticket_id).values_list("team_id", flat=True).first()
    if team_id:
        fill_pool(team_id=team_id)


def ticket_updated(event: TicketUpdated) -> None:
    """A ticket moved team: route it there; a ticket solved or closed: its agent has room again."""
    if "team" not in event.fields and "status" not in event.fields:
        return
    row = Ticket.objects.filter(pk=event.ticket_id).values_list("status", "team_id", "assignee_id").first()
    if row is None or row[1] is None:
        return
    status, team_id, assignee_id = row
    if ("team" in event.fields and assignee_id is None) or status not in OPEN_STATUSES:
        fill_pool(team_id=team_id)


def ticket_assigned(event: TicketAssigned) -> None:
    """A person assigned the ticket (a supervisor may exceed the cap): spill the agent's excess."""
    if event.actor_id is not None and event.assignee_id is not None:
        rebalance_agent(user_id=event.assignee_id, keep=event.ticket_id)


def presence_changed(event: PresenceChanged) -> None:
    if event.presence == Presence.OFFLINE:
        release_agent(user_id=event.user_id, reason="offline")
    elif event.presence == Presence.ONLINE:
        for team_id in Team.objects.filter(members=event.user_id).values_list("pk", flat=True):
            fill_pool(team_id=team_id)


def user_deactivated(event: UserDeactivated) -> None:
    release_agent(user_id=event.user_id, reason="deactivated")
