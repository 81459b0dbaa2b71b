"""Assignment: which agent gets a team's new ticket, and taking tickets back from absent agents.

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

The choice itself (round-robin, fewest open, skills) is pure and lives in kefu.routing.rules; this module
reads the candidates, takes the locks and writes through kefu.tickets.services.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from kefu.accounts.models import AssignmentStrategy, Presence, Team, User
from kefu.accounts.permissions import without_read_only_roles
from kefu.core import clock
from kefu.core.prepared import prepared
from kefu.sla import rules as sla_rules
from kefu.sla.models import Escalation
from kefu.sla.services import calendar_clocks, current_level, level_people, only_row
from kefu.tickets import services as tickets
from kefu.tickets.models import OPEN_STATUSES, Status, Ticket

from ..rules import Candidate, Need, choose

POOL_STATUSES = (Status.NEW, Status.OPEN)  # what automatic assignment hands out
BATCH = 100  # tickets one pass looks at (a pass is re-run by the next trigger)


on_shift = sla_rules.is_open_at  # whether the calendar is open at `now`


def candidates(
    team: Team,
    *,
    now: datetime | None = None,
    exclude: Iterable[int] = (),
    among: Iterable[int] | None = None,
    cap: bool = True,
) -> list[Candidate]:
    """The team's members (or the people `among`) on shift, with room under the cap, with their load.

    On shift: online, and within their own shift hours when they have them, else within the team's.
    """
    # A correlated count per member walks the partial index of open tickets by assignee, however much
    # closed history the agents have.
    open_count = (
        Ticket.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = User.objects.filter(teams=team) if among is None else User.objects.filter(pk__in=list(among))
    people = without_read_only_roles(people)
    agents = (
        people.filter(is_active=True, is_staff=True, presence=Presence.ONLINE)
        .exclude(pk__in=list(exclude))
        .annotate(load=Coalesce(Subquery(open_count), 0))
        .values_list("pk", "load", "level", "skills", "shift_calendar_id")
    )
    if cap and team.max_open_per_agent:
        agents = agents.filter(load__lt=team.max_open_per_agent)
    rows = list(agents.order_by("pk"))
    open_now = calendars_open({team.shift_calendar_id, *(row[4] for row in rows)}, now or clock.now())
    return [
        Candidate(pk, load, level, skills or {})
        for pk, load, level, skills, own in rows
        if open_now.get(own or team.shift_calendar_id, True)
    ]


def calendars_open(ids: Iterable[int | None], now: datetime) -> dict[int, bool]:
    """Which of these shift calendars are open at `now` (the process's copy of the calendars: no query)."""
    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    clocks = calendar_clocks()
    return {pk: on_shift(clocks[pk], now) for pk in wanted if pk in clocks}


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
        ticket = only_row(Ticket.objects.select_for_update().filter(pk=ticket_id))
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


def fill_pool(*, team_id: int | None = None, now: datetime | None = None, team: Team | None = None) -> int:
    """Assign the team's waiting tickets, oldest first, while agents have room; returns how many.

    `team`: the team already read (`team_of_ticket`), instead of `team_id`."""
    if team is None:
        team = Team.objects.filter(pk=team_id).first()
    team_id = team.pk if team is not None else None
    if team is None or team.assignment_strategy == AssignmentStrategy.MANUAL or not candidates(team, now=now):
        return 0
    waiting = (
        Ticket.objects.filter(team_id=team_id, assignee__isnull=True, status__in=POOL_STATUSES)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    waiting = list(waiting)
    # Whether to go on after a ticket nobody took; nothing comes after the last one (often the only one).
    escalated = (
        set(Escalation.objects.filter(ticket_id__in=waiting[:-1]).values_list("ticket_id", flat=True))
        if len(waiting) > 1
        else set()
    )
    assigned = 0
    for ticket_id in waiting:
        if assign_new_ticket(ticket_id=ticket_id, now=now):
            assigned += 1
        elif ticket_id not in escalated:
            break  # nobody on shift has room (skills fall back to anyone, so they fail only then too)
        # an escalated ticket waits for its level's people; the ones behind it may still be served
    return assigned


def fill_pools_of(*, ticket_ids: list[int], now: datetime | None = None) -> int:
    """Serve the pools of these tickets' teams (a batch of new tickets), each once, until nobody has room
    or nothing waits; returns how many tickets were assigned. Each assignment takes its own locks."""
    assigned = 0
    for team in Team.objects.filter(tickets__in=ticket_ids).distinct().order_by("pk"):
        while (done := fill_pool(team=team, now=now)) == BATCH:
            assigned += done
        assigned += done
    return assigned


def team_of_ticket(ticket_id: int) -> Team | None:
    """The ticket's team, read with the ticket in one query."""
    return _team_of_ticket.first(ticket_id)


@prepared(int)
def _team_of_ticket(ticket_id):
    return Team.objects.filter(tickets=ticket_id).order_by()[:1]


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
        Ticket.objects.open()
        .filter(assignee__teams=team)
        .order_by()
        .values("assignee")
        .annotate(n=Count("pk"))
        .filter(n__gt=team.max_open_per_agent)
    )
    return [row["assignee"] for row in over]


def _lock_team_of(ticket_id: int) -> Team | None:
    """The ticket's team, its row locked (not the ticket's: callers lock that next, team → ticket)."""
    team = Team.objects.select_for_update(of=("self",)).filter(tickets=ticket_id).order_by().first()
    if team is None or team.assignment_strategy == AssignmentStrategy.MANUAL:
        return None
    return team


def _give(team: Team, ticket: Ticket, *, now: datetime | None, exclude: Iterable[int] = ()) -> Ticket | None:
    """Under the team and ticket locks: pick an agent, lock and recheck them, assign, move the pointer.

    An escalated ticket goes only to the people of its level (kefu.sla escalations)."""
    pool = candidates(team, now=now, exclude=exclude, among=level_people(team, current_level(ticket)))
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
