"""Service levels: business calendars, SLA policies, each ticket's SLA clocks, breaches and escalations."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.sla.rules import parse_hours


def default_hours() -> dict:
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    """When the service center works; deadlines in business time only count these hours."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    hours = models.JSONField(
        _("working hours"),
        default=default_hours,
        blank=True,
        help_text=_('Weekday (0 = Monday) to intervals, e.g. {"0": [["09:00", "18:00"]]}.'),
    )
    use_china_holidays = models.BooleanField(
        _("mainland China holidays and adjusted working days"), default=True
    )
    always_open = models.BooleanField(_("open 24/7"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
        try:
            parse_hours(self.hours or {})
        except (ValueError, TypeError, AttributeError):
            raise ValidationError(
                {"hours": _("Working hours must map weekdays 0–6 to [start, end] times.")}
            ) from None


class CalendarDate(models.Model):
    """A custom day off or an extra working day of one calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    is_working_day = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_date_unique")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.note}".strip()


class SlaPolicy(models.Model):
    """Conditions → targets. The first active policy (by position) whose conditions all match applies."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    categories = models.JSONField(
        _("categories"), default=list, blank=True, help_text=_("Category codes; empty: any.")
    )
    priorities = models.JSONField(
        _("priorities"), default=list, blank=True, help_text=_("Priority codes; empty: any.")
    )
    severities = models.JSONField(
        _("complaint severities"), default=list, blank=True, help_text=_("Empty: any.")
    )
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True, help_text=_("Empty: any."))
    channels = models.JSONField(_("channels"), default=list, blank=True, help_text=_("Empty: any."))
    first_response = models.DurationField(_("first response target"), null=True, blank=True)
    next_response = models.DurationField(_("next response target"), null=True, blank=True)
    resolution = models.DurationField(_("resolution target"), null=True, blank=True)
    escalate_after = models.DurationField(
        _("escalate to a supervisor after"),
        null=True,
        blank=True,
        help_text=_("Escalate an unsolved ticket to a supervisor this long after it arrived."),
    )
    business_time = models.BooleanField(
        _("count business hours only"),
        default=True,
        help_text=_("Targets are working time on the calendar; otherwise calendar time, around the clock."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warning_percent = models.PositiveSmallIntegerField(_("warn at (% of the target)"), default=80)
    escalate_on_warning = models.BooleanField(
        _("escalate on warning"),
        default=False,
        help_text=_("Move the ticket up one level as soon as a target is about to be missed."),
    )
    escalate_on_breach = models.BooleanField(
        _("escalate on breach"),
        default=False,
        help_text=_("Move the ticket up one level when a target is missed (complaints always are)."),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TicketSla(models.Model):
    """One ticket's SLA clocks; `next_deadline` is the next moment the sweeper must look at it."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="+")
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_warned = models.BooleanField(default=False)
    first_response_breached = models.BooleanField(default=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    resolution_warned = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    escalation_due = models.DateTimeField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    first_response_met = models.BooleanField(default=False)
    resolution_met = models.BooleanField(default=False)
    # Working time (on the policy's clock) spent waiting on the customer; pushes every deadline back.
    paused_seconds = models.PositiveIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)
    next_deadline = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")
    ESCALATION = "escalation", _("Supervisor escalation")


class SlaEvent(models.Model):
    """A warning or breach the sweeper found (one row per ticket, target and kind)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        BREACH = "breach", _("Breach")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=20, choices=SlaTarget.choices)
    due = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "target"], name="sla_event_once"),
        ]


class Level(models.TextChoices):
    L1 = "L1", _("Level 1")
    L2 = "L2", _("Level 2 (senior agents)")
    SUPERVISOR = "supervisor", _("Supervisor")

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class Escalation(models.Model):
    """A ticket moved up a service level, by an agent or automatically (actor None)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="escalations")
    from_level = models.CharField(_("from"), max_length=12, choices=Level.choices)
    to_level = models.CharField(_("to"), max_length=12, choices=Level.choices)
    reason = models.CharField(_("reason"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("at"))
    # Who had the ticket when it was escalated (kept informed), and who took it at the new level.
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("escalated from"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    to_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # Set when routing has handed the ticket to the new level (claimed once, kefu.routing.services.escalation).
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at", "-id"]
