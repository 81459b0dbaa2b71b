"""Live chat: the sites a widget is embedded in, conversations and their messages.

Every conversation is linked to a ticket (channel "chat") opened through intake; the transcript is stored on
that ticket when the chat ends.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
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
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("chat site")
        verbose_name_plural = _("chat sites")

    def __str__(self) -> str:
        return self.name

    def allows_origin(self, origin: str) -> bool:
        return bool(origin) and origin.rstrip("/").lower() in {
            o.rstrip("/").lower() for o in self.allowed_origins
        }


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


class ChatMessage(models.Model):
    """One line of a conversation. `pk` is the server id; `client_id` de-duplicates re-sent messages."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    client_id = models.CharField(_("client id"), max_length=64, blank=True)
    author_kind = models.CharField(_("author kind"), max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

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

    def as_json(self) -> dict:
        return {
            "id": self.pk,
            "conversation": self.conversation_id,
            "client_id": self.client_id,
            "author": str(self.author_kind),
            "name": self.author.name if self.author_id and self.author else "",
            "text": self.text,
            "at": self.created_at.isoformat(),
        }
