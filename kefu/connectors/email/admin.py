from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import DomainError

from .fetch import MailboxError, check_connection
from .models import Mailbox, ProcessedMail, QuarantinedMail
from .services import (
    MAILBOX_FIELDS,
    SECRET_FIELDS,
    can_manage_mailboxes,
    delete_mailbox,
    reprocess,
    save_mailbox,
)


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

    # Changes go through the same service as /manage/email/ (validation, audit row, secrets kept out of it).
    def has_add_permission(self, request):
        return can_manage_mailboxes(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_mailboxes(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_mailboxes(request.user)

    def save_model(self, request, obj, form, change):
        stored = Mailbox.objects.get(pk=obj.pk) if change else None
        values = {name: form.cleaned_data[name] for name in MAILBOX_FIELDS if name in form.cleaned_data}
        secrets = {
            name: form.cleaned_data[name]
            for name in SECRET_FIELDS
            if form.cleaned_data.get(name) and form.cleaned_data[name] != getattr(stored, name, None)
        }
        saved = save_mailbox(actor=request.user, values=values, secrets=secrets, mailbox=stored)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        delete_mailbox(actor=request.user, mailbox=obj)

    def delete_queryset(self, request, queryset):
        for mailbox in queryset:
            delete_mailbox(actor=request.user, mailbox=mailbox)

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
