"""Everything that creates, answers and sums up satisfaction surveys.

When: a survey is opened once per solve of a ticket (`open_survey`), keyed by the ticket and its
`solved_at`. A retried event, the same solve seen again (solved → closed keeps `solved_at`) or the solved
notice mail asking for the link all find the same row. A ticket reopened and solved again has a new
`solved_at`, so it gets a new survey; the earlier one's link closes then, so a ticket has one open link.
Who: only customers we can reach — an e-mail address or a portal login (where the link is shown) — or
the visitor still in the chat window whose end solved the ticket (`chat_surveys`).
Credit: the answer is attributed when it comes, to the chat's agent or else the ticket's assignee.
How long: answers may be given and changed until 7 days after the solve (`rules.ANSWER_WINDOW`).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.chat.models import Conversation
from kefu.core import clock
from kefu.core.errors import DomainError, InvalidInput, NotFound
from kefu.customers.models import Customer, IdentityKind
from kefu.tickets.models import Ticket
from kefu.tickets.rules import FINAL_STATUSES

from . import rules
from .models import Survey, SurveySource

TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters
MAX_TOKEN_LENGTH = 64
MAX_COMMENT_LENGTH = 2000


class SurveyClosed(DomainError):
    """The survey's answer window is over (or a later solve replaced it)."""

    status_code = 410
    default_message = _("This survey has closed.")


def open_survey(*, ticket: Ticket, in_chat: bool = False) -> Survey | None:
    """The survey of the ticket's current solve, created the first time it is asked for; None when the
    ticket is not solved (or closed after solving) or its customer cannot be reached (`in_chat`: the
    customer is in the chat window that asks). Safe to call again."""
    if ticket.status not in FINAL_STATUSES or ticket.solved_at is None:
        return None
    existing = Survey.objects.filter(ticket=ticket, solved_at=ticket.solved_at).first()
    if existing is not None:
        return existing
    if not in_chat and not can_reach(ticket.customer_id):
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                ticket=ticket,
                solved_at=ticket.solved_at,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                language=_customer_language(ticket.customer_id),
                team_id=ticket.team_id,
                agent_id=ticket.assignee_id,
                created_at=now,
                expires_at=rules.expiry_for(ticket.solved_at),
            )
            # An earlier solve's link closes: one open survey per ticket, about its latest solve.
            Survey.objects.filter(ticket=ticket, expires_at__gt=now).exclude(pk=survey.pk).update(
                expires_at=now
            )
    except IntegrityError:
        # Another job opened it between our look and our insert (the unique solve key says so).
        return Survey.objects.filter(ticket=ticket, solved_at=ticket.solved_at).first()
    return survey


def can_reach(customer_id: int) -> bool:
    """A customer can be asked: they have an e-mail address or a portal login (the portal shows the link)."""
    return Customer.objects.filter(
        Q(pk=customer_id) & (Q(user__isnull=False) | Q(identities__kind=IdentityKind.EMAIL))
    ).exists()


def _customer_language(customer_id: int) -> str:
    return Customer.objects.filter(pk=customer_id).values_list("language", flat=True).first() or ""


def survey_for_token(token: str) -> Survey:
    """The survey a link names, with its ticket; NotFound for anything that is not a survey's token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound()
    survey = Survey.objects.select_related("ticket").filter(token=token).first()
    if survey is None:
        raise NotFound()
    return survey


def answer_survey(
    *, survey: Survey, csat: int, nps: int | None, comment: str = "", source: str = SurveySource.LINK
) -> Survey:
    """Store the customer's answer (a later answer replaces it) while the survey is open, credited to the
    agent who handled it: the chat's agent for a chat's survey, else the ticket's assignee (at answer time)."""
    if not rules.valid_csat(csat):
        raise InvalidInput(_("Choose a score from 1 to 5."), field="csat")
    if not rules.valid_nps(nps):
        raise InvalidInput(_("Choose a score from 0 to 10."), field="nps")
    comment = rules.plain_comment(comment or "")
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(_("The comment is too long."), field="comment")
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        now = clock.now()
        solved_at, assignee_id = (
            Ticket.objects.filter(pk=locked.ticket_id).values_list("solved_at", "assignee_id").first()
        )
        if not rules.is_open(locked.expires_at, now) or solved_at != locked.solved_at:
            raise SurveyClosed()
        locked.csat, locked.nps, locked.comment, locked.answered_at = csat, nps, comment, now
        locked.source = source
        locked.agent_id = _chat_agent_id(locked) or assignee_id or locked.agent_id
        locked.save(update_fields=["csat", "nps", "comment", "answered_at", "source", "agent"])
    return locked


def _chat_agent_id(survey: Survey) -> int | None:
    if survey.conversation_id is None:
        return None
    return Conversation.objects.filter(pk=survey.conversation_id).values_list("agent_id", flat=True).first()


def is_open(survey: Survey) -> bool:
    """Not expired, and about the ticket's current solve: a reopened ticket's link closes (the customer's
    answer would rate a fix that did not hold), and a solve again opens a new survey."""
    return rules.is_open(survey.expires_at, clock.now()) and survey.ticket.solved_at == survey.solved_at


def survey_url(survey: Survey) -> str:
    """The public link to the survey, as the customer gets it."""
    return settings.SITE_URL + reverse("surveys:answer", args=[survey.token])


def open_survey_of(ticket: Ticket) -> Survey | None:
    """The survey a customer may still answer for this solved ticket (portal): no query for open tickets."""
    if ticket.status not in FINAL_STATUSES:
        return None
    return Survey.objects.filter(ticket=ticket, expires_at__gt=clock.now()).order_by("-solved_at").first()


def latest_answer_of(ticket: Ticket) -> Survey | None:
    """The most recent answered survey of the ticket (agent page); no query for a ticket never solved."""
    if ticket.solved_at is None and not ticket.reopened_count:
        return None
    return Survey.objects.answered().filter(ticket=ticket).order_by("-solved_at").first()


@dataclass(frozen=True)
class SurveySummary:
    """Survey answers of a period: `csat_percent` and `nps` are None when nobody answered that question."""

    responses: int
    csat_responses: int
    csat_percent: float | None
    csat_average: float | None
    nps_responses: int
    nps: float | None


def survey_summary(since: datetime, until: datetime, team=None, agent=None) -> SurveySummary:
    """Answers given in [since, until), for everyone, one team (the team that solved the ticket) and/or one
    agent (the one the answer is credited to)."""
    answers = _answers(since, until, team=team, agent=agent)
    row = answers.aggregate(
        responses=Count("id"),
        csat_responses=Count("csat"),
        satisfied=Count("id", filter=Q(csat__gte=rules.SATISFIED_FROM)),
        csat_average=Avg("csat"),
        nps_responses=Count("nps"),
        promoters=Count("id", filter=Q(nps__gte=rules.PROMOTER_FROM)),
        detractors=Count("id", filter=Q(nps__lte=rules.DETRACTOR_UP_TO)),
    )
    average = row["csat_average"]
    return SurveySummary(
        responses=row["responses"],
        csat_responses=row["csat_responses"],
        csat_percent=rules.csat_percent(row["satisfied"], row["csat_responses"]),
        csat_average=None if average is None else round(float(average), 2),
        nps_responses=row["nps_responses"],
        nps=rules.net_promoter_score(row["promoters"], row["detractors"], row["nps_responses"]),
    )


def _answers(since: datetime, until: datetime, *, team=None, agent=None):
    answers = Survey.objects.filter(answered_at__gte=since, answered_at__lt=until)
    if team is not None:
        answers = answers.filter(team=team)
    if agent is not None:
        answers = answers.filter(agent=agent)
    return answers


@dataclass(frozen=True)
class AgentCsat:
    """One agent's line of the CSAT report: CSAT answers credited to them in the period."""

    agent: object
    responses: int
    csat_percent: float | None
    csat_average: float | None


def csat_by_agent(since: datetime, until: datetime, team=None) -> list[AgentCsat]:
    """Every agent credited with a CSAT answer in [since, until) (of one team's surveys, if given), most
    answers first. Two queries whatever the number of agents: the sums, then the agents' names."""
    rows = list(
        _answers(since, until, team=team)
        .filter(agent__isnull=False, csat__isnull=False)
        .values("agent")
        .annotate(
            responses=Count("id"),
            satisfied=Count("id", filter=Q(csat__gte=rules.SATISFIED_FROM)),
            csat_average=Avg("csat"),
        )
        .order_by("-responses", "agent")
    )
    agents = get_user_model().objects.in_bulk([row["agent"] for row in rows])
    return [
        AgentCsat(
            agent=agents[row["agent"]],
            responses=row["responses"],
            csat_percent=rules.csat_percent(row["satisfied"], row["responses"]),
            csat_average=round(float(row["csat_average"]), 2),
        )
        for row in rows
        if row["agent"] in agents
    ]
