"""Intake rules, the trained text classifier, and the routing decision recorded for each new ticket."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.customers.models import Tier
from kefu.sla.models import Level
from kefu.tickets.models import Channel, Severity


class MatchIn(models.TextChoices):
    SUBJECT_OR_BODY = "both", _("Subject or message")
    SUBJECT = "subject", _("Subject only")
    BODY = "body", _("Message only")


class IntakeRule(models.Model):
    """If a new ticket meets every condition given, set what the actions say; rules run in `position` order."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    is_active = models.BooleanField(pgettext_lazy("rule", "active"), default=True)
    # Conditions: an empty one is not checked.
    channels = models.JSONField(_("channels"), default=list, blank=True)
    mailbox = models.CharField(
        _("mailbox"), max_length=100, blank=True, help_text=_("Name or id of the e-mail mailbox the ticket came in by.")
    )
    tiers = models.JSONField(_("customer tiers"), default=list, blank=True)
    words = models.JSONField(_("words"), default=list, blank=True)
    match_in = models.CharField(_("look for words in"), max_length=10, choices=MatchIn.choices, default=MatchIn.SUBJECT_OR_BODY)
    pattern = models.CharField(_("regular expression"), max_length=200, blank=True)
    time_from = models.TimeField(_("from (time of day)"), null=True, blank=True)
    time_to = models.TimeField(_("until (time of day)"), null=True, blank=True)
    # Actions: an empty one leaves the field as it is.
    set_category = models.ForeignKey(
        "tickets.Category", verbose_name=_("set category"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    set_priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("set priority"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    set_severity = models.CharField(_("set complaint severity"), max_length=10, choices=Severity.choices, blank=True)
    set_team = models.ForeignKey(
        "accounts.Team", verbose_name=_("set team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assign to"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    escalate_to = models.CharField(
        _("escalate to"), max_length=12, blank=True,
        choices=[(Level.L2.value, Level.L2.label), (Level.SUPERVISOR.value, Level.SUPERVISOR.label)],
    )
    stop = models.BooleanField(_("stop after this rule"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("intake rule")
        verbose_name_plural = _("intake rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def channel_labels(self) -> list[str]:
        names = dict(Channel.choices)
        return [str(names.get(code, code)) for code in self.channels or []]

    @property
    def tier_labels(self) -> list[str]:
        names = dict(Tier.choices)
        return [str(names.get(code, code)) for code in self.tiers or []]

    @property
    def has_conditions(self) -> bool:
        return bool(self.channels or self.mailbox or self.tiers or self.words or self.pattern
                    or self.time_from or self.time_to)


class ClassifierModel(models.Model):
    """One trained classifier (category and team models in one blob); the newest row is the one in use."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    blob = models.BinaryField()  # joblib dump of {"category": pipeline | None, "team": pipeline | None}
    trained_at = models.DateTimeField(_("trained"))
    n = models.PositiveIntegerField(_("tickets learned from"), default=0)
    category_accuracy = models.FloatField(_("category accuracy"), null=True, blank=True)
    category_macro_f1 = models.FloatField(_("category macro-F1"), null=True, blank=True)
    category_test_n = models.PositiveIntegerField(default=0)
    team_accuracy = models.FloatField(_("team accuracy"), null=True, blank=True)
    team_macro_f1 = models.FloatField(_("team macro-F1"), null=True, blank=True)
    team_test_n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class RoutingDecision(models.Model):
    """What routing did to one new ticket; its unique ticket makes a retried event a no-op."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="routing_decision")
    rules = models.JSONField(_("rules applied"), default=list, blank=True)  # [{"id", "name"}]
    model_version = models.PositiveIntegerField(null=True, blank=True)
    predicted_category = models.CharField(max_length=40, blank=True)
    category_confidence = models.FloatField(null=True, blank=True)
    predicted_team = models.CharField(max_length=40, blank=True)
    team_confidence = models.FloatField(null=True, blank=True)
    needs_triage = models.BooleanField(_("needs triage"), default=False)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


class ClassifierTraining(models.Model):
    """One retrain of the classifier, asked for from /manage/routing/ or by the daily job; run outside the
    request (a worker, or a background thread in the embedded mode) and claimed once by its status."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("classifier training", "Waiting to start")
        RUNNING = "running", pgettext_lazy("classifier training", "Training")
        DONE = "done", pgettext_lazy("classifier training", "Trained")
        TOO_FEW = "too_few", pgettext_lazy("classifier training", "Too few solved tickets to learn from")
        FAILED = "failed", pgettext_lazy("classifier training", "Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked for by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    requested_at = models.DateTimeField(_("asked for"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    version = models.PositiveIntegerField(_("model version"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("classifier training")
        verbose_name_plural = _("classifier trainings")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="routing_training_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="queued"), name="routing_training_one_queued"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
