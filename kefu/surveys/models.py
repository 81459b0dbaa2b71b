"""Customer satisfaction surveys: one per solve of a ticket, answered through an unguessable link."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules


class SurveyQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(answered_at__isnull=False)


class SurveySource(models.TextChoices):
    """Where the customer gave the answer."""

    LINK = "link", _("E-mail or portal link")
    CHAT = "chat", _("Live chat window")


class Survey(models.Model):
    """A CSAT (1–5) and NPS (0–10) question about one solve of a ticket; open until `expires_at`.

    `team` is the ticket's team when it was solved; `agent` is who gets the rating: set at the solve, and
    again when the answer comes (the chat's agent for a chat's survey, else the ticket's assignee).
    `conversation` is the live chat whose end offered this survey in the chat window (one survey per chat).
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="surveys"
    )
    solved_at = models.DateTimeField(_("ticket solved"))  # the solve this survey asks about
    token = models.CharField(max_length=64, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=10, blank=True)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("open until"))
    csat = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("recommendation (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    source = models.CharField(_("answered through"), max_length=10, choices=SurveySource.choices, blank=True)
    conversation = models.OneToOneField(
        "chat.Conversation",
        verbose_name=_("live chat"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A retried event or a second look at the same solve finds this row instead of adding one.
            models.UniqueConstraint(fields=["ticket", "solved_at"], name="survey_one_per_solve"),
            models.CheckConstraint(
                condition=Q(csat__isnull=True)
                | Q(csat__gte=rules.CSAT_SCORES.start, csat__lt=rules.CSAT_SCORES.stop),
                name="survey_csat_range",
            ),
            models.CheckConstraint(
                condition=Q(nps__isnull=True)
                | Q(nps__gte=rules.NPS_SCORES.start, nps__lt=rules.NPS_SCORES.stop),
                name="survey_nps_range",
            ),
        ]
        indexes = [
            # survey_summary reads answers in a time window, for everyone or one team.
            models.Index(fields=["answered_at"], name="survey_answered"),
            models.Index(fields=["team", "answered_at"], name="survey_team_answered"),
            models.Index(fields=["agent", "answered_at"], name="survey_agent_answered"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} @ {self.solved_at:%Y-%m-%d %H:%M}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
