"""In-app and e-mail notifications to staff, and what each user chooses to get."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("A ticket is assigned to me")
    SLA_WARNING = "sla_warning", _("A ticket of mine is about to miss its SLA")
    SLA_BREACH = "sla_breach", _("A ticket of mine missed its SLA")
    ESCALATED = "escalated", _("A ticket is escalated to me or my team")
    REPLIED = "replied", _("Someone wrote on a ticket assigned to me")
    REVIEWED = "reviewed", _("My work on a ticket was quality-reviewed")
    INCOMING_CALL = "incoming_call", _("A phone call rings at my extension")


# What a user gets until they choose otherwise: (in the app, by e-mail).
DEFAULTS: dict[str, tuple[bool, bool]] = {
    Kind.ASSIGNED: (True, False),
    Kind.SLA_WARNING: (True, False),
    Kind.SLA_BREACH: (True, True),
    Kind.ESCALATED: (True, True),
    Kind.REPLIED: (True, False),
    Kind.REVIEWED: (True, False),
    Kind.INCOMING_CALL: (True, False),
}


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient_id=user.pk, in_app=True)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one staff user should know about; the text is rendered in the reader's language."""

    recipient = models.ForeignKey(  # indexed by notification_recipient_new (Meta.indexes), which leads with it
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Codes and names for the sentence (target, levels, reason …), never prose: see notifications.texts.
    params = models.JSONField(default=dict, blank=True)
    in_app = models.BooleanField(default=True)
    by_email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_recipient_new"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread",
            ),
            # The retry sweep of e-mail copies not sent yet (kefu.notifications.services.requeue_unsent_emails).
            models.Index(
                fields=["created_at"],
                condition=Q(by_email=True, emailed_at__isnull=True),
                name="notification_email_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class Preference(models.Model):
    """A user's choice for one kind of notification; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
