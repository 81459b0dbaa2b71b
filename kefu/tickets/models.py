"""Tickets, their conversation (messages, notes, system events), attachments and configuration."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """Configuration rows named in Chinese and English; `label` picks the active language."""

    name = models.CharField(_("name (中文)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Category(BilingualName):
    """What a contact is about: 咨询 inquiry, 投诉 complaint, 订单 order, 技术支持, 售后, 建议 …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]


class Priority(BilingualName):
    """How urgent a ticket is; `rank` orders them (higher is more urgent)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["-rank", "id"]


NO_PRIORITY_RANK = -1  # Ticket.priority_rank without a priority: below every rank, so it sorts last


def priority_rank_of(priority: "Priority | None") -> int:
    """What `Ticket.priority_rank` holds for a ticket with this priority."""
    return NO_PRIORITY_RANK if priority is None else priority.rank


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")


class CustomField(BilingualName):
    """An extra ticket field an admin defines (order number, product model …); values live on the ticket."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=CustomFieldKind.choices, default=CustomFieldKind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    customer_visible = models.BooleanField(_("customers see and fill it"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "id"]


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Live chat")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_list(self):
        """Everything a queue row shows, in a fixed number of queries."""
        return self.select_related("customer", "category", "priority", "team", "assignee").prefetch_related("tags")


class Ticket(models.Model):
    """One customer issue, from first contact to closing. `number` is what people quote."""

    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The priority's rank, copied (kept in step by the ticket services and `_follow_priority_rank`): the queue
    # sorts by priority with an index on the ticket alone, no join.
    priority_rank = models.SmallIntegerField(
        default=NO_PRIORITY_RANK, db_default=NO_PRIORITY_RANK, editable=False
    )
    severity = models.CharField(_("complaint severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    # Team, assignee and customer lead indexes of Meta.indexes (ticket_team_status_updated, ticket_assignee_status,
    # ticket_customer_created), which serve lookups by them alone too: an index of their own would only be
    # one more to write on every new ticket and every assignment.
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_tickets", db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="tickets",
        db_index=False,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # A channel's own id for the conversation (first Message-ID, chat id …): retries never make a second ticket.
    external_id = models.CharField(max_length=255, blank=True, default="")

    created_at = models.DateTimeField(_("created"))  # indexed by ticket_created_covering (Meta.indexes)
    updated_at = models.DateTimeField(_("updated"), db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopened_count = models.PositiveIntegerField(_("times reopened"), default=0)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("view_all_tickets", _("Can see tickets of every team")),
            ("assign_ticket", _("Can assign tickets to other agents")),
            ("bulk_change_ticket", _("Can change many tickets at once")),
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated"),
            models.Index(fields=["team", "status", "-updated_at"], name="ticket_team_status_updated"),
            models.Index(fields=["assignee", "status", "-updated_at"], name="ticket_assignee_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
            # The open-ticket queues filter on four statuses at once; an IN list cannot walk the
            # (status, updated_at) index in order, so these partial indexes serve those views directly.
            models.Index(
                fields=["-updated_at", "-id"], condition=Q(status__in=OPEN_STATUSES), name="ticket_open_updated"
            ),
            models.Index(
                fields=["team", "-updated_at", "-id"], condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_team_updated",
            ),
            models.Index(
                fields=["assignee", "-updated_at", "-id"], condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_assignee_updated",
            ),
            # Sorted by priority: all tickets, and the open-ticket views.
            models.Index(fields=["-priority_rank", "-updated_at", "-id"], name="ticket_priority_updated"),
            models.Index(
                fields=["-priority_rank", "-updated_at", "-id"], condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_priority_updated",
            ),
            # The supervisor dashboard (analytics.kpis) reads the open backlog and the last fortnight's
            # tickets from these two indexes alone on PostgreSQL, without visiting the table (issue 7).
            models.Index(
                fields=["status", "assignee", "category", "severity"], condition=Q(status__in=OPEN_STATUSES),
                name="ticket_open_breakdown",
            ),
            # On PostgreSQL it also INCLUDEs id, channel, category, first_response_at and solved_at (migration
            # 0007; SQLite has no INCLUDE, so the model declares the plain index both engines agree on).
            models.Index(fields=["created_at"], name="ticket_created_covering"),
            # "Unassigned in my teams": walked newest first, stopping at a full page (issue 7).
            models.Index(
                fields=["-updated_at", "-id"], condition=Q(status__in=OPEN_STATUSES, assignee__isnull=True),
                name="ticket_open_unassigned_updated",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="ticket_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@receiver(post_save, sender=Priority, dispatch_uid="tickets.follow_priority_rank")
def _follow_priority_rank(sender, instance: Priority, created: bool, raw: bool = False, **kwargs) -> None:
    """A priority's new rank reaches its tickets' copy in one UPDATE, whichever screen saved it (the
    administration pages, the Django admin)."""
    if created or raw:
        return
    Ticket.objects.filter(priority_id=instance.pk).exclude(priority_rank=instance.rank).update(
        priority_rank=instance.rank
    )


class MessageKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer message")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    EVENT = "event", _("System event")


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class DeliveryStatus(models.TextChoices):
    NONE = "", _("Not sent by a channel")
    PENDING = "pending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not delivered")


class MessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(kind__in=[MessageKind.CUSTOMER, MessageKind.REPLY])


class Message(models.Model):
    """One entry in a ticket's timeline: a customer message, a public reply, an internal note or a system event."""

    # Indexed by message_ticket_created (Meta.indexes), which leads with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author_kind = models.CharField(_("author kind"), max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)  # sanitized with nh3 before it is stored
    # System events: a code and its data; rendered (and translated) when shown, not stored as prose.
    event_type = models.CharField(max_length=40, blank=True)
    event_data = models.JSONField(default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    external_id = models.CharField(max_length=255, blank=True, default="")
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices, blank=True, default="")
    delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="message_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.kind in (MessageKind.CUSTOMER, MessageKind.REPLY)


class TicketSearchEntry(models.Model):
    """One ticket as full-text search sees it: its subject and message words (kept in step by tickets.search).

    `tokens` holds jieba / word tokens encoded as plain ASCII words (see `knowledge.search.encode_token`); the
    engines' own indexes (an FTS5 table with triggers, or a generated tsvector with a GIN index) are created
    by the migration `ticket_search_index` for the database in use.
    """

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+")
    tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ticket search entry")
        verbose_name_plural = _("ticket search entries")

    def __str__(self) -> str:
        return f"#{self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{filename}"


class Attachment(models.Model):
    """A file on a message, kept through Django's storage API; the name is sanitized on the way in."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_id = models.CharField(max_length=255, blank=True)  # inline images in HTML mail
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Macro(models.Model):
    """A canned response with variables ({{ customer.name }}, {{ ticket.number }} …) that may also set fields."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("reply text"), blank=True)
    # {"status": "pending", "priority": "high", "category": "complaint", "team": 3, "add_tags": ["vip"]}
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    is_shared = models.BooleanField(_("shared with everyone"), default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="macros",
    )
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up of")
    RELATED = "related", _("Related to")


class TicketLinkQuerySet(models.QuerySet):
    def touching(self, ticket_id: int):
        """Links in either direction: the ticket as source or as target."""
        return self.filter(Q(source_id=ticket_id) | Q(target_id=ticket_id))


class TicketLink(models.Model):
    """`source` is a follow-up of (or related to) `target`; shown on both tickets."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    objects = TicketLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="ticket_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.get_kind_display()} #{self.target_id}"
