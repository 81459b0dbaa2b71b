"""Staff users, teams and their memberships. Customers who log in to the portal are users too,
linked from `customers.Customer.user`; staff are the users with `is_staff`."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    L1 = "L1", _("L1 front line")
    L2 = "L2", _("L2 senior")
    L3 = "L3", _("L3 expert")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AssignmentStrategy(models.TextChoices):
    """How a team's new tickets find an agent (kefu.routing.services.assignment)."""

    MANUAL = "manual", _("Manual (agents pick from the queue)")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_OPEN = "least_open", _("Fewest open tickets")
    SKILLS = "skills", _("Best skill match")


class User(AbstractUser):
    """A person who logs in: staff (is_staff) or a portal customer."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=2, choices=Level.choices, default=Level.L1)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    # {"categories": [codes], "languages": ["zh-hans", "en"], "channels": ["email", ...]}
    skills = models.JSONField(_("skills"), default=dict, blank=True)
    max_chats = models.PositiveSmallIntegerField(_("maximum simultaneous chats"), default=5)
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    # The agent's own working hours (a business calendar of kefu.sla): overrides their teams' shift hours.
    shift_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("own shift hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Automatic assignment gives this agent tickets only during these hours; empty: the team's."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("manage_users", _("Can manage staff users and teams")),
            ("manage_configuration", _("Can manage categories, priorities, tags, macros and custom fields")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class Team(models.Model):
    """A group of agents that tickets are routed to (接线组, 投诉处理组 …)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        User,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(User, verbose_name=_("members"), related_name="teams", blank=True)
    is_default = models.BooleanField(
        _("receives unrouted tickets"), default=False, help_text=_("New tickets without a team land here.")
    )
    assignment_strategy = models.CharField(
        _("assignment"), max_length=12, choices=AssignmentStrategy.choices, default=AssignmentStrategy.MANUAL
    )
    max_open_per_agent = models.PositiveSmallIntegerField(
        _("open tickets per agent"),
        default=0,
        help_text=_("Automatic assignment stops giving an agent tickets at this many open ones; 0: no limit."),
    )
    shift_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("shift hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Only assign automatically during these working hours; empty: whenever agents are online."),
    )
    escalation_team = models.ForeignKey(
        "self",
        verbose_name=_("L2 team for escalations"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Tickets escalated to L2 move to this team; empty: the team's own senior agents take them."),
    )
    # Round-robin pointer: the id of the member who got the last ticket (moved under the team's row lock).
    assignment_cursor = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name
