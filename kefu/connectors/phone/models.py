"""Phone lines a CTI/PBX system reports calls for, the calls it reported, and which events were handled."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.crypto import EncryptedTextField


def new_line_key() -> str:
    """The line's part of its webhook URL: unguessable, URL-safe."""
    return secrets.token_urlsafe(12)


def new_secret() -> str:
    """The shared secret the PBX signs its events with."""
    return secrets.token_hex(32)


class CallEventKind(models.TextChoices):
    RINGING = "ringing", pgettext_lazy("call event", "Ringing")
    ANSWERED = "answered", pgettext_lazy("call event", "Answered")
    ENDED = "ended", pgettext_lazy("call event", "Ended")
    MISSED = "missed", pgettext_lazy("call event", "Missed")
    VOICEMAIL = "voicemail", pgettext_lazy("call event", "Voicemail")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class PhoneLine(models.Model):
    """One number of the call center: where its call tickets go and which extension is which agent."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    number = models.CharField(_("number"), max_length=40)
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team for new call tickets"),
    )
    key = models.CharField(max_length=32, unique=True, default=new_line_key, editable=False)
    secret = EncryptedTextField(default=new_secret, editable=False)
    # PBX extension → staff user id, e.g. {"801": 12}.
    extensions = models.JSONField(_("extensions"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phone line")
        verbose_name_plural = _("phone lines")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PhoneCall(models.Model):
    """One call as the PBX reported it; its ticket carries the same external id (the PBX's call id)."""

    line = models.ForeignKey(PhoneLine, null=True, on_delete=models.SET_NULL, related_name="calls")
    call_id = models.CharField(max_length=255, unique=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    from_number = EncryptedTextField(blank=True)
    to_number = EncryptedTextField(blank=True)
    customer = models.ForeignKey("customers.Customer", null=True, on_delete=models.SET_NULL, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", null=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    missed = models.BooleanField(default=False)
    duration = models.PositiveIntegerField(null=True, blank=True)
    recording_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")

    def __str__(self) -> str:
        return self.call_id


class HandledCallEvent(models.Model):
    """One event of one call that was handled: the same event again (a retried webhook) does nothing.
    A ring group rings several extensions: "ringing" is handled once per extension (one pop-up each)."""

    call = models.ForeignKey(PhoneCall, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=10, choices=CallEventKind.choices)
    extension = models.CharField(max_length=20, blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "event", "extension"], name="phone_call_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.event}"
