"""Live chat: the sites a widget is embedded in, conversations and their messages.

Every conversation is linked to a ticket (channel "chat") opened through intake; the transcript is stored on
that ticket when the chat ends.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 2000  # characters in one chat message


def new_site_key() -> str:
    return secrets.token_urlsafe(12)


class ChatSite(models.Model):
    """One web site the widget is embedded in: its public key and the origins allowed to open the socket."""

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("public key"), max_length=32, unique=True, default=new_site_key)
    # ["https://shop.example.com", ...]: exact scheme://host[:port] values compared with the Origin header
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # {"fields": ["name", "email", "phone", "topic"], "required": ["name"]}
    prechat_form = models.JSONField(_("pre-chat form"), default=dict, blank=True)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("business hours"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Outside these hours the widget offers to leave a message. Empty: always open."),
    )
    max_queue = models.PositiveSmallIntegerField(
        _("longest queue"),
        default=0,
        help_text=_(
            "With this many visitors waiting, new visitors are asked to leave a message. 0: no limit."
        ),
    )
    vip_to_senior = models.BooleanField(_("VIP customers go to senior agents"), default=False)
    bot_enabled = models.BooleanField(
        _("FAQ bot answers first"),
        default=False,
        help_text=_("The bot answers from the FAQ and hands over to a person when asked or unsure."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    survey_enabled = models.BooleanField(_("Ask for a rating when a chat ends"), default=True)

    class Meta:
        verbose_name = _("chat site")
        verbose_name_plural = _("chat sites")

    def __str__(self) -> str:
        return self.name

    def allows_origin(self, origin: str) -> bool:
        return bool(origin) and origin.rstrip("/").lower() in {
            o.rstrip("/").lower() for o in self.allowed_origins
        }


class ChatTopic(models.Model):
    """A choice of the pre-chat form; a chat about it is routed to its team."""

    site = models.ForeignKey(
        ChatSite, verbose_name=_("site"), on_delete=models.CASCADE, related_name="topics"
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("chat topic")
        verbose_name_plural = _("chat topics")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return self.name_en if self.name_en and language.startswith("en") else self.name


class ConversationStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    BOT = "bot", _("With the bot")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Phase(models.TextChoices):
    BOT = "bot", _("Bot")
    HUMAN = "human", _("Human")


OPEN_STATUSES = (ConversationStatus.QUEUED, ConversationStatus.BOT, ConversationStatus.ACTIVE)


class Conversation(models.Model):
    site = models.ForeignKey(
        ChatSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="conversations"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="chats"
    )
    visitor_id = models.CharField(_("visitor id"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.HUMAN)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chats",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="chats"
    )
    linked_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("linked ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_chats",
    )
    # the chat's ticket stays open after the chat ends (converted to a ticket, or linked to one)
    follow_up = models.BooleanField(_("kept as a ticket"), default=False)
    topic = models.ForeignKey(
        ChatTopic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL
    )
    prechat = models.JSONField(_("pre-chat answers"), default=dict, blank=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    senior_only = models.BooleanField(_("senior agents only"), default=False)
    visitor_read = models.BigIntegerField(_("read by the visitor up to"), default=0)
    agent_read = models.BigIntegerField(_("read by the agent up to"), default=0)
    priority = models.SmallIntegerField(_("priority"), default=0)  # higher is served first
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["site", "visitor_id", "status"]),
            models.Index(fields=["status", "-priority", "queued_at"]),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AuthorKind(models.TextChoices):
    VISITOR = "visitor", _("Visitor")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")
    NOTE = "note", _("Internal note")  # staff only: never sent to the visitor


class ChatMessageQuerySet(models.QuerySet):
    def for_visitor(self) -> "ChatMessageQuerySet":
        return self.exclude(author_kind=AuthorKind.NOTE)


class ChatMessage(models.Model):
    """One line of a conversation. `pk` is the server id; `client_id` de-duplicates re-sent messages."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    client_id = models.CharField(_("client id"), max_length=64, blank=True)
    author_kind = models.CharField(_("author kind"), max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"), max_length=MAX_TEXT, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="chat/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("file type"), max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(_("file size"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ChatMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=~Q(client_id=""),
                name="chat_message_client_id",
            )
        ]

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Saving built the attachment's FieldFile, which refers back to this message: keep only its name
        # (the field reads it back the usual way), so a message pushed and dropped is freed at once instead
        # of waiting, with its conversation, for the cyclic GC.
        attached = self.__dict__.get("attachment")
        if isinstance(attached, FieldFile) and attached._committed:
            self.__dict__["attachment"] = attached.name

    def as_json(self) -> dict:
        return {
            "id": self.pk,
            "conversation": self.conversation_id,
            "client_id": self.client_id,
            "author": str(self.author_kind),
            "name": self.author.name if self.author_id and self.author else "",
            "text": self.text,
            "at": self.created_at.isoformat(),
            **({"file": self.file_json()} if self.has_attachment else {}),
        }

    @property
    def has_attachment(self) -> bool:
        """Whether a file is attached, read without building the `FieldFile`: that object and this message
        refer to each other, a cycle per message pushed that only the cyclic GC frees."""
        if "attachment" not in self.__dict__:  # deferred: load it the usual way
            return bool(self.attachment)
        return bool(self.__dict__["attachment"])  # a name, or a FieldFile (true when it has a name)

    def file_json(self) -> dict:
        """The attachment's name, type and size; its URL is added by whoever may hand it out."""
        return {
            "name": self.attachment_name,
            "type": self.attachment_type,
            "size": self.attachment_size,
            "image": self.attachment_type.startswith("image/"),
        }
