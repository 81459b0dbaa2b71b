"""Quality inspection (质检): scorecards of criteria, reviews of handled tickets, and the inspectors' samples."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models import BilingualName


class ScorecardQuerySet(models.QuerySet):
    def active(self) -> "ScorecardQuerySet":
        return self.filter(is_active=True)


class Scorecard(BilingualName):
    """A named set of criteria a review scores a ticket by (服务质检标准 …); retired ones keep their reviews."""

    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["name", "id"]


class Criterion(BilingualName):
    """One item of a scorecard, scored 0..max_points; a critical one (致命项) scored 0 fails the whole review."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="criteria"
    )
    description = models.TextField(_("description"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), default=10, validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_critical = models.BooleanField(
        _("critical item"),
        default=False,
        help_text=_(
            "Scoring 0 on a critical item (such as leaking customer privacy) makes the whole review score 0."
        ),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=1), name="criterion_max_points_positive")
        ]


class ReviewQuerySet(models.QuerySet):
    def for_list(self) -> "ReviewQuerySet":
        """What a list of reviews shows (ticket, people, scorecard, ratings with their criteria), in four queries."""
        return self.select_related("ticket", "agent", "reviewer", "scorecard").prefetch_related(
            models.Prefetch("ratings", queryset=Rating.objects.select_related("criterion"))
        )


class Review(models.Model):
    """One inspector's scoring of how one staff member handled one ticket. Written by `quality.services`."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="quality_reviews"
    )
    # People are deactivated, not deleted; if one is deleted anyway, the center's QA history stays.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent reviewed"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="quality_reviews_received",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="quality_reviews_given",
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="reviews"
    )
    score_percent = models.DecimalField(_("score (%)"), max_digits=4, decimal_places=1)
    critical_failed = models.BooleanField(_("critical item failed"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-created_at", "-id"]
        permissions = [("view_all_reviews", _("Can see the quality reviews of every agent"))]
        constraints = [models.UniqueConstraint(fields=["ticket", "reviewer"], name="review_one_per_reviewer")]
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="review_agent_created"),
            models.Index(fields=["reviewer", "-created_at"], name="review_reviewer_created"),
            models.Index(fields=["-created_at", "-id"], name="review_created"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.score_percent}%"


class Rating(models.Model):
    """The points one criterion got in one review, with the inspector's note on why."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    # Protected: a criterion that scored reviews is part of their record (retire its scorecard instead).
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="ratings"
    )
    points = models.PositiveSmallIntegerField(_("points"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="rating_one_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class SampledTicket(models.Model):
    """A ticket drawn into one inspector's queue (质检抽样) and not reviewed yet; removed once it is reviewed.

    One row per ticket: two inspectors drawing at the same moment never both get it."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="quality_sample"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"))

    class Meta:
        verbose_name = _("sampled ticket")
        verbose_name_plural = _("sampled tickets")
        ordering = ["drawn_at", "id"]
        indexes = [models.Index(fields=["reviewer", "drawn_at"], name="sample_reviewer_drawn")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} → {self.reviewer_id}"
