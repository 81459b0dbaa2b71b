"""The service center's core KPIs, read straight from the ticket, SLA and chat tables.

Every figure is one aggregate query (ten in all, whatever the number of tickets): the dashboard's
query count never grows with the data. The window queries filter on `created_at`, which is indexed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext

from kefu.accounts.models import User
from kefu.chat.models import Conversation, ConversationStatus
from kefu.sla.models import TicketSla
from kefu.tickets.models import OPEN_STATUSES, Category, Channel, Severity, Status, Ticket

COMPLAINT = "complaint"
COMPLAINT_TARGET = timedelta(hours=48)


@dataclass(frozen=True)
class Share:
    """`part` of `whole`, with the percentage (None when there is nothing to divide)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.part / self.whole, 1) if self.whole else None


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # percent of the largest bar, for CSS


@dataclass(frozen=True)
class AgentLoad:
    user: User
    open_tickets: int
    solved_today: int


@dataclass
class Dashboard:
    window_days: int
    backlog: list[Bar]
    backlog_total: int
    created_today: int
    solved_today: int
    window_created: int
    avg_first_response: timedelta | None
    responded: Share
    open_complaints: int
    open_major_complaints: int
    complaints_within_48h: Share
    first_response_sla: Share
    resolution_sla: Share
    by_channel: list[Bar] = field(default_factory=list)
    by_category: list[Bar] = field(default_factory=list)
    daily: list[Bar] = field(default_factory=list)
    agents: list[AgentLoad] = field(default_factory=list)
    chats_waiting: int = 0
    chats_active: int = 0
    longest_chat_wait: timedelta | None = None


def bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    top = max((value for _label, value in pairs), default=0) or 1
    return [Bar(label=label, value=value, width=round(100 * value / top, 1)) for label, value in pairs]


def day_start(moment: datetime, zone: tzinfo) -> datetime:
    local = moment.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def center_dashboard(*, now: datetime, zone: tzinfo, window_days: int = 7) -> Dashboard:
    """The whole center's figures: today (in `zone`), the open backlog, and the last `window_days` days.
    Names are in the active language, by the same rule as everywhere else (`BilingualName.label`)."""
    today = day_start(now, zone)
    window_start = today - timedelta(days=window_days - 1)
    window = Ticket.objects.filter(created_at__gte=window_start)

    backlog = dict(Ticket.objects.open().values_list("status").annotate(n=Count("id")).order_by())
    open_figures = Ticket.objects.open().aggregate(
        complaints=Count("id", filter=Q(category__code=COMPLAINT)),
        major=Count("id", filter=Q(category__code=COMPLAINT, severity=Severity.MAJOR)),
    )
    today_figures = Ticket.objects.filter(Q(created_at__gte=today) | Q(solved_at__gte=today)).aggregate(
        created=Count("id", filter=Q(created_at__gte=today)),
        solved=Count("id", filter=Q(solved_at__gte=today)),
    )
    response_time = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    complaint = Q(category__code=COMPLAINT)
    window_figures = window.aggregate(
        total=Count("id"),
        responded=Count("id", filter=Q(first_response_at__isnull=False)),
        avg_first_response=Avg(response_time, filter=Q(first_response_at__isnull=False)),
        complaints=Count("id", filter=complaint),
        complaints_fast=Count("id", filter=complaint & Q(solved_at__lte=F("created_at") + COMPLAINT_TARGET)),
    )
    sla = TicketSla.objects.filter(ticket__created_at__gte=window_start).aggregate(
        first_met=Count("id", filter=Q(first_response_met=True)),
        first_breached=Count("id", filter=Q(first_response_breached=True)),
        resolution_met=Count("id", filter=Q(resolution_met=True)),
        resolution_breached=Count("id", filter=Q(resolution_breached=True)),
    )

    channel_labels = dict(Channel.choices)
    by_channel = window.values_list("channel").annotate(n=Count("id")).order_by("-n")
    by_category = (
        window.values_list("category__name", "category__name_en").annotate(n=Count("id")).order_by("-n")
    )
    daily_counts = dict(
        Ticket.objects.filter(created_at__gte=today - timedelta(days=13))
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    days = [(today - timedelta(days=13 - i)).date() for i in range(14)]

    agents = (
        User.objects.filter(is_active=True, is_staff=True, assigned_tickets__isnull=False)
        .annotate(
            open_tickets=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)),
            solved_today=Count("assigned_tickets", filter=Q(assigned_tickets__solved_at__gte=today)),
        )
        .filter(Q(open_tickets__gt=0) | Q(solved_today__gt=0))
        .order_by("-open_tickets", "username")[:12]
    )
    chats = Conversation.objects.filter(
        status__in=(ConversationStatus.QUEUED, ConversationStatus.ACTIVE)
    ).aggregate(
        waiting=Count("id", filter=Q(status=ConversationStatus.QUEUED)),
        active=Count("id", filter=Q(status=ConversationStatus.ACTIVE)),
        oldest=Min("queued_at", filter=Q(status=ConversationStatus.QUEUED)),
    )

    return Dashboard(
        window_days=window_days,
        backlog=bars([(str(Status(status).label), backlog.get(status, 0)) for status in OPEN_STATUSES]),
        backlog_total=sum(backlog.values()),
        created_today=today_figures["created"],
        solved_today=today_figures["solved"],
        window_created=window_figures["total"],
        avg_first_response=window_figures["avg_first_response"],
        responded=Share(window_figures["responded"], window_figures["total"]),
        open_complaints=open_figures["complaints"],
        open_major_complaints=open_figures["major"],
        complaints_within_48h=Share(window_figures["complaints_fast"], window_figures["complaints"]),
        first_response_sla=Share(sla["first_met"], sla["first_met"] + sla["first_breached"]),
        resolution_sla=Share(sla["resolution_met"], sla["resolution_met"] + sla["resolution_breached"]),
        by_channel=bars([(str(channel_labels.get(c, c)), n) for c, n in by_channel]),
        by_category=bars([(category_label(zh, en), n) for zh, en, n in by_category]),
        daily=bars([(day_label(d), daily_counts.get(d, 0)) for d in days]),
        agents=[AgentLoad(user=u, open_tickets=u.open_tickets, solved_today=u.solved_today) for u in agents],
        chats_waiting=chats["waiting"],
        chats_active=chats["active"],
        longest_chat_wait=(now - chats["oldest"]) if chats["oldest"] else None,
    )


def category_label(name: str | None, name_en: str | None) -> str:
    """A category's name as the queue shows it (`BilingualName.label`); tickets without one are "Uncategorized"."""
    if name is None:
        return gettext("Uncategorized")
    return Category(name=name, name_en=name_en or "").label


def day_label(day: date) -> str:
    return f"{day.month}/{day.day}"
