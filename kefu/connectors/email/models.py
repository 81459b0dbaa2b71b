"""Mailboxes Kefu reads and sends from, the mails it has processed, and mail it could not read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.crypto import EncryptedTextField


class Protocol(models.TextChoices):
    IMAP = "imap", "IMAP"
    POP3 = "pop3", "POP3"


class ClosedTicketReplies(models.TextChoices):
    """What a customer's mail on a closed ticket does (a solved ticket is always reopened)."""

    FOLLOW_UP = "follow_up", _("Open a follow-up ticket linked to it")
    REOPEN = "reopen", _("Reopen the closed ticket")


class Mailbox(models.Model):
    """One inbound mailbox (IMAP/POP3) and the SMTP identity replies to its tickets are sent with."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.IMAP)
    host = models.CharField(_("host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_tls = models.BooleanField(_("use TLS"), default=True)
    username = models.CharField(_("user name"), max_length=255)
    password = EncryptedTextField(_("password"), blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team for new tickets"),
    )
    from_address = models.EmailField(_("From address"))
    from_name = models.CharField(_("From name"), max_length=100, blank=True)
    smtp_host = models.CharField(_("SMTP host"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_use_tls = models.BooleanField(_("SMTP uses TLS"), default=True)
    smtp_username = models.CharField(_("SMTP user name"), max_length=255, blank=True)
    smtp_password = EncryptedTextField(_("SMTP password"), blank=True)
    notifications_enabled = models.BooleanField(
        _("send notifications"),
        default=True,
        help_text=_("Mail the customer when a ticket is received and when it is solved."),
    )
    email_other_channels = models.BooleanField(
        _("e-mail customers of web and API tickets"),
        default=True,
        help_text=_(
            "When this is the default mailbox (the first active one with an SMTP server), agents' public "
            "replies and solved notices on web-form, API and phone tickets are e-mailed to the customer too."
        ),
    )
    closed_ticket_replies = models.CharField(
        _("replies to closed tickets"),
        max_length=10,
        choices=ClosedTicketReplies.choices,
        default=ClosedTicketReplies.FOLLOW_UP,
        help_text=_(
            "A reply to a solved ticket always reopens it; a closed ticket is done for good by default."
        ),
    )
    delete_after_fetch = models.BooleanField(
        _("delete fetched mail (POP3)"),
        default=False,
        help_text=_("POP3 only: delete each mail from the server once it is safely stored."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Poll state: the folder's UIDVALIDITY and the highest UID whose mail is safely stored.
    uid_validity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # Claimed by a running poll until then, so overlapping beats never fetch the same mailbox twice at once.
    poll_claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcessedMail(models.Model):
    """A mail that was stored: keeps fetching idempotent and records why no notification may go out."""

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mail_id = models.CharField(max_length=255)  # the external id given to intake (Message-ID or a hash)
    uid = models.BigIntegerField(null=True, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("tickets.Message", null=True, on_delete=models.SET_NULL, related_name="+")
    flags = models.JSONField(default=list, blank=True)  # e.g. ["auto_reply"], ["bounce"], ["own_loop"]
    suppress_notifications = models.BooleanField(default=False)
    raw = models.BinaryField(blank=True, default=b"")  # the original source, for "show original"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("processed mail")
        verbose_name_plural = _("processed mails")
        constraints = [models.UniqueConstraint(fields=["mail_id"], name="email_processed_unique_mail_id")]

    def __str__(self) -> str:
        return self.mail_id


class QuarantinedMail(models.Model):
    """A mail Kefu could not turn into a ticket, kept raw with the error so it can be re-processed."""

    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.BinaryField(_("raw source"))
    size = models.PositiveBigIntegerField(_("size"), default=0)
    truncated = models.BooleanField(default=False)
    error = models.TextField(_("error"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("quarantined mail")
        verbose_name_plural = _("quarantined mails")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.error[:60]}"


class PopUidl(models.Model):
    """A POP3 message (by its UIDL) whose mail is stored: the next poll skips it."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+")
    uidl = models.CharField(max_length=255)
    # Too large to store whole (only its headers are in quarantine): never deleted from the server.
    keep_on_server = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailbox", "uidl"], name="email_pop_unique_uidl")]

    def __str__(self) -> str:
        return self.uidl


class NotificationKind(models.TextChoices):
    RECEIVED = "received", _("Ticket received")
    SOLVED = "solved", _("Ticket solved")


class NotificationMail(models.Model):
    """One notification mail to a customer; `key` makes each one go out at most once."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    key = models.CharField(max_length=100)
    status = models.CharField(max_length=10, default="pending")  # pending, sent, failed, skipped
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The Message-ID it went out with: a bounce of it, or an answer to it, finds its ticket by this.
    message_id = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="email_notification_unique_key")]
        indexes = [
            models.Index(
                fields=["message_id"],
                name="email_notification_message_id",
                condition=~models.Q(message_id=""),
            )
        ]

    def __str__(self) -> str:
        return self.key


class DeliveryRetry(models.Model):
    """A send that failed in a way worth retrying (a reply or a notification) and when to try again.

    Retries are swept by a periodic task, so they happen in the embedded (eager) mode as well as with a
    Redis-backed worker, and survive restarts. The row goes away when the send succeeds or finally fails.
    """

    message = models.OneToOneField("tickets.Message", null=True, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        NotificationMail, null=True, on_delete=models.CASCADE, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(db_index=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"retry {self.attempts} due {self.due_at:%Y-%m-%d %H:%M}"


QUARANTINE_MAX_BYTES = getattr(settings, "EMAIL_QUARANTINE_MAX_BYTES", 25 * 1024 * 1024)
