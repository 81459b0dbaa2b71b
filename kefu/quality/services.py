"""Quality inspection (质检): scoring a handled ticket, drawing tickets to inspect, and the figures dashboards show.

Who may do what: `quality.add_review` scores tickets (QA inspectors, supervisors, admins); `quality.view_review`
alone shows a person the reviews of their own work; `quality.view_all_reviews` shows everyone's.
"""

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from kefu.accounts.permissions import is_active_staff
from kefu.audit.services import record
from kefu.core import clock
from kefu.core.errors import Conflict, InvalidInput, NotAllowed
from kefu.notifications.models import Kind
from kefu.notifications.services import notify
from kefu.tickets.access import get_visible_ticket, visible_tickets
from kefu.tickets.models import Status, Ticket

from . import rules
from .models import Criterion, Rating, Review, SampledTicket, Scorecard

REVIEW_PERMISSION = "quality.add_review"
VIEW_OWN_PERMISSION = "quality.view_review"
VIEW_ALL_PERMISSION = "quality.view_all_reviews"
EXACT_SAMPLE_UP_TO = 20_000  # candidates whose ids a draw reads to pick uniformly; beyond, it probes
MAX_SAMPLE = 50  # tickets drawn at once: enough for a shift, few enough to read back in one page
NOTE_MAX_LENGTH = 500
REVIEWABLE_STATUSES = (Status.SOLVED, Status.CLOSED)  # what sampling draws from: finished contacts


def can_review(user) -> bool:
    return is_active_staff(user, REVIEW_PERMISSION)


def _require_reviewer(user) -> None:
    if not can_review(user):
        raise NotAllowed(_("You may not review tickets."))


# --- scoring a ticket ------------------------------------------------------------------------------


def review_ticket(
    *,
    reviewer,
    ticket: Ticket,
    scorecard: Scorecard,
    points: dict[int, int],
    notes: dict[int, str] | None = None,
    comment: str = "",
    agent=None,
) -> Review:
    """Score how `agent` (default: the ticket's assignee) handled `ticket` on every criterion of `scorecard`.

    One review per ticket and reviewer: submitting again updates it. Writes an audit row; the ticket leaves
    every inspector's sample queue."""
    _require_reviewer(reviewer)
    get_visible_ticket(reviewer, ticket.pk)  # NotFound for a ticket the reviewer may not see
    notes = notes or {}
    criteria = list(scorecard.criteria.all())
    with transaction.atomic():
        existing = Review.objects.select_for_update().filter(ticket=ticket, reviewer=reviewer).first()
        _check_scorecard(scorecard, criteria, existing)
        _check_ratings(criteria, points, notes)
        agent = _reviewed_agent(reviewer, ticket, agent, existing)
        before = _snapshot(existing)
        result = rules.score(rules.Scored(points[c.pk], c.max_points, c.is_critical) for c in criteria)
        review = _save_review(existing, reviewer, ticket, scorecard, agent, result, comment.strip())
        review.ratings.all().delete()
        Rating.objects.bulk_create(
            Rating(review=review, criterion=c, points=points[c.pk], note=(notes.get(c.pk) or "").strip())
            for c in criteria
        )
        SampledTicket.objects.filter(ticket=ticket).delete()
        record(
            actor=reviewer,
            action="review.update" if existing else "review.create",
            obj=review,
            changes={key: [before[key], value] for key, value in _snapshot(review).items()},
        )
        # The agent reviewed hears of it (in the app by default; not when they reviewed their own ticket).
        notify(
            recipients=[review.agent],
            kind=Kind.REVIEWED,
            actor=reviewer,
            ticket=ticket,
            params={"score": str(review.score_percent), "critical_failed": review.critical_failed},
        )
    return review


def _check_scorecard(scorecard: Scorecard, criteria: list[Criterion], existing: Review | None) -> None:
    keeps_retired = existing is not None and existing.scorecard_id == scorecard.pk
    if not scorecard.is_active and not keeps_retired:
        raise InvalidInput(_("This scorecard is retired; choose an active one."), field="scorecard")
    if not criteria:
        raise InvalidInput(_("This scorecard has no criteria yet."), field="scorecard")


def _check_ratings(criteria: list[Criterion], points: dict, notes: dict) -> None:
    """Every criterion scored with a whole number in 0..max_points, and nothing else."""
    known = {c.pk for c in criteria}
    if set(points) - known or set(notes) - known:
        raise InvalidInput(_("Some points are not for this scorecard's criteria; reload the page."))
    for criterion in criteria:
        field = f"points_{criterion.pk}"
        values = {"criterion": criterion.label, "max": criterion.max_points}
        problem = rules.points_error(points.get(criterion.pk), criterion.max_points)
        if problem == "missing":
            raise InvalidInput(_("Give points for “%(criterion)s”.") % values, field=field)
        if problem == "not_number":
            raise InvalidInput(_("Points for “%(criterion)s” must be a whole number.") % values, field=field)
        if problem == "range":
            raise InvalidInput(
                _("Points for “%(criterion)s” must be between 0 and %(max)s.") % values, field=field
            )
        if len(notes.get(criterion.pk) or "") > NOTE_MAX_LENGTH:
            raise InvalidInput(
                _("A note may have at most %(count)s characters.") % {"count": NOTE_MAX_LENGTH},
                field=f"note_{criterion.pk}",
            )


def _reviewed_agent(reviewer, ticket: Ticket, agent, existing: Review | None):
    if agent is None:
        agent = existing.agent if existing is not None and existing.agent_id else ticket.assignee
    if agent is None:
        raise InvalidInput(
            _("This ticket has no assignee: choose the agent you are reviewing."), field="agent"
        )
    if not agent.is_staff:
        raise InvalidInput(_("Only staff members can be reviewed."), field="agent")
    if agent.pk == reviewer.pk:
        raise InvalidInput(_("You cannot review your own work."), field="agent")
    return agent


def _save_review(existing, reviewer, ticket, scorecard, agent, result: rules.Score, comment: str) -> Review:
    now = clock.now()
    if existing is not None:
        existing.scorecard, existing.agent, existing.comment = scorecard, agent, comment
        existing.score_percent, existing.critical_failed = result.percent, result.critical_failed
        existing.updated_at = now
        existing.save()
        return existing
    try:
        with transaction.atomic():
            return Review.objects.create(
                ticket=ticket,
                reviewer=reviewer,
                agent=agent,
                scorecard=scorecard,
                comment=comment,
                score_percent=result.percent,
                critical_failed=result.critical_failed,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:  # the same reviewer's other tab saved first
        raise Conflict() from None


def _snapshot(review: Review | None) -> dict:
    """What the audit row compares, JSON-safe (all None for a review not written yet)."""
    if review is None:
        return {"score_percent": None, "critical_failed": None, "agent": None, "scorecard": None}
    return {
        "score_percent": str(review.score_percent),
        "critical_failed": review.critical_failed,
        "agent": review.agent_id,
        "scorecard": review.scorecard_id,
    }


# --- sampling (质检抽样) -----------------------------------------------------------------------------


def sample_for_review(
    *, reviewer, count: int, team=None, since: datetime | None = None, rng: random.Random | None = None
) -> list[Ticket]:
    """Draw up to `count` random solved or closed tickets with an assignee into the reviewer's queue: none
    reviewed by anyone, none already in someone's queue, none the reviewer handled. Fewer when fewer remain."""
    _require_reviewer(reviewer)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SAMPLE:
        raise InvalidInput(
            _("Draw between 1 and %(max)s tickets at a time.") % {"max": MAX_SAMPLE}, field="count"
        )
    candidates = _sample_candidates(reviewer, team, since)
    chosen = _random_ids(candidates, count, rng or random.SystemRandom())
    now = clock.now()
    # Another inspector drawing at the same moment may have taken some: the unique ticket keeps theirs.
    SampledTicket.objects.bulk_create(
        [SampledTicket(ticket_id=pk, reviewer=reviewer, drawn_at=now) for pk in chosen], ignore_conflicts=True
    )
    mine = SampledTicket.objects.filter(reviewer=reviewer, ticket_id__in=chosen).values_list(
        "ticket_id", flat=True
    )
    return list(Ticket.objects.filter(pk__in=list(mine)).select_related("assignee").order_by("pk"))


def _random_ids(candidates: QuerySet[Ticket], count: int, rng: random.Random) -> list[int]:
    """Up to `count` candidate ids at random. Up to EXACT_SAMPLE_UP_TO candidates: their ids alone (one integer
    column, no ORDER BY RANDOM() over whole rows) and a uniform pick. Beyond, reading every id would grow with
    the table (a million handled tickets): random points of the id range are probed instead, each taking the
    first candidate at or after it, a few indexed statements per ticket drawn."""
    ids = list(candidates.order_by("pk").values_list("pk", flat=True)[: EXACT_SAMPLE_UP_TO + 1])  # in order
    if len(ids) <= EXACT_SAMPLE_UP_TO:
        return rng.sample(ids, min(count, len(ids)))  # a seeded rng repeats its pick
    low, high = ids[0], candidates.order_by("-pk").values_list("pk", flat=True)[0]
    chosen: set[int] = set()
    for _attempt in range(count * 4):
        if len(chosen) >= count:
            break
        start = rng.randint(low, high)
        unchosen = candidates.exclude(pk__in=chosen)
        found = unchosen.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True)[:1]
        found = list(found) or list(
            unchosen.filter(pk__lt=start).order_by("-pk").values_list("pk", flat=True)[:1]
        )
        if not found:
            break  # every candidate is chosen
        chosen.add(found[0])
    return sorted(chosen)


def _sample_candidates(reviewer, team, since: datetime | None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(status__in=REVIEWABLE_STATUSES, assignee__isnull=False)
    tickets = visible_tickets(reviewer, tickets).exclude(assignee_id=reviewer.pk)
    tickets = tickets.exclude(Exists(Review.objects.filter(ticket_id=OuterRef("pk"))))
    tickets = tickets.exclude(Exists(SampledTicket.objects.filter(ticket_id=OuterRef("pk"))))
    if team is not None:
        tickets = tickets.filter(team_id=team.pk)
    if since is not None:
        tickets = tickets.filter(Q(solved_at__gte=since) | Q(closed_at__gte=since))
    return tickets.order_by()


def sample_queue(reviewer) -> list[SampledTicket]:
    """The tickets drawn for `reviewer` and not reviewed yet, oldest draw first."""
    return list(
        SampledTicket.objects.filter(reviewer_id=reviewer.pk).select_related(
            "ticket__assignee", "ticket__team"
        )
    )


def release_sample(*, reviewer, ticket_id: int) -> None:
    """Put a drawn ticket back (the inspector will not review it); only one's own draws."""
    _require_reviewer(reviewer)
    SampledTicket.objects.filter(reviewer_id=reviewer.pk, ticket_id=ticket_id).delete()


# --- reading reviews ---------------------------------------------------------------------------------


def visible_reviews(user) -> QuerySet[Review]:
    """Every review for those who may see all; one's own (as the agent reviewed) for the others."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return Review.objects.none()
    if user.has_perm(VIEW_ALL_PERMISSION):
        return Review.objects.all()
    if user.has_perm(VIEW_OWN_PERMISSION):
        return Review.objects.filter(agent_id=user.pk)
    return Review.objects.none()


@dataclass(frozen=True)
class QualitySummary:
    reviews: int
    average_score: Decimal | None  # one decimal; None without reviews
    critical_fails: int


@dataclass(frozen=True)
class AgentQuality:
    agent: object  # the User
    summary: QualitySummary


@dataclass(frozen=True)
class TeamQuality:
    total: QualitySummary
    agents: list[AgentQuality]  # lowest average first: whom to coach


def _summary_of(row: dict) -> QualitySummary:
    average = row.get("average")
    if average is not None:
        average = Decimal(str(average)).quantize(rules.ONE_DECIMAL)
    return QualitySummary(
        reviews=row.get("reviews") or 0, average_score=average, critical_fails=row.get("critical_fails") or 0
    )


_FIGURES = {
    "reviews": Count("id"),
    "average": Avg("score_percent"),
    "critical_fails": Count("id", filter=Q(critical_failed=True)),
}


def _reviews_between(since: datetime, until: datetime) -> QuerySet[Review]:
    return Review.objects.filter(created_at__gte=since, created_at__lt=until)


def center_summary(since: datetime, until: datetime) -> QualitySummary:
    """The whole center's reviews created in [since, until) (the dashboard's tile). The caller checks who may
    see it."""
    return summarize(_reviews_between(since, until))


def agent_summary(agent, since: datetime, until: datetime) -> QualitySummary:
    """One agent's reviews created in [since, until): how many, average score, critical fails. The caller
    checks who may see it."""
    return _summary_of(_reviews_between(since, until).filter(agent_id=agent.pk).aggregate(**_FIGURES))


def team_summary(since: datetime, until: datetime, team=None) -> TeamQuality:
    """The center's (or one team's members') reviews created in [since, until), in total and per agent."""
    reviews = _reviews_between(since, until).filter(agent__isnull=False)
    if team is not None:
        reviews = reviews.filter(agent__teams=team)
    total = _summary_of(reviews.aggregate(**_FIGURES))
    rows = list(reviews.order_by().values("agent_id").annotate(**_FIGURES))
    people = get_user_model().objects.in_bulk([row["agent_id"] for row in rows])
    agents = [AgentQuality(agent=people[row["agent_id"]], summary=_summary_of(row)) for row in rows]
    agents.sort(key=lambda item: (item.summary.average_score or 0, item.agent.pk))
    return TeamQuality(total=total, agents=agents)


def summarize(reviews: QuerySet[Review]) -> QualitySummary:
    """How many of `reviews`, their average score and critical fails, in one query."""
    return _summary_of(reviews.order_by().aggregate(**_FIGURES))
