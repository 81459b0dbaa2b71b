from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import DomainError

from .fetch import MailboxError, check_connection
from .models import Mailbox, ProcessedMail, QuarantinedMail
from .services import MAILBOX_FIELDS, SECRET_FIELDS, reprocess


class MailboxAdminForm(forms.ModelForm):
    """Passwords are write-only here too: never rendered back; left empty, the stored one is kept."""

    class Meta:
        model = Mailbox
        fields = (*MAILBOX_FIELDS, *SECRET_FIELDS)
        widgets = {
            "password": forms.PasswordInput(render_value=False),
            "smtp_password": forms.PasswordInput(render_value=False),
        }

    def clean(self):
        data = super().clean()
        for name in ("password", "smtp_password"):
            if not data.get(name) and self.instance.pk:
                data[name] = getattr(self.instance, name)
        return data


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxAdminForm
    list_display = (
        "name",
        "protocol",
        "host",
        "port",
        "username",
        "team",
        "from_address",
        "active",
        "last_polled_at",
        "last_error",
    )
    list_filter = ("protocol", "active")
    readonly_fields = ("uid_validity", "last_uid", "last_polled_at", "poll_claimed_until", "last_error")
    actions = ["test_connection"]

    @admin.action(description=gettext_lazy("Test the connection"))
    def test_connection(self, request, queryset):
        for mailbox in queryset:
            try:
                result = check_connection(mailbox)
            except MailboxError as exc:
                self.message_user(request, f"{mailbox.name}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, f"{mailbox.name}: {result}", level=messages.SUCCESS)


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(admin.ModelAdmin):
    list_display = ("id", "mailbox", "size", "error", "received_at", "resolved")
    list_filter = ("resolved", "mailbox")
    readonly_fields = ("mailbox", "size", "truncated", "error", "received_at")
    exclude = ("raw",)
    actions = ["reprocess_mail"]

    @admin.action(description=gettext_lazy("Process again"))
    def reprocess_mail(self, request, queryset):
        for held in queryset.filter(resolved=False):
            try:
                result = reprocess(quarantined=held)
            except DomainError as exc:
                self.message_user(request, f"#{held.pk}: {exc}", level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("#%(id)s stored on ticket %(ticket)s.") % {"id": held.pk, "ticket": result.ticket.pk},
                )


@admin.register(ProcessedMail)
class ProcessedMailAdmin(admin.ModelAdmin):
    list_display = ("mail_id", "mailbox", "uid", "ticket", "flags", "suppress_notifications", "created_at")
    list_filter = ("suppress_notifications", "mailbox")
    raw_id_fields = ("ticket", "message")
    exclude = ("raw",)
