"""The mailbox form of the /manage/email/ pages. It parses input; `services.save_mailbox` saves it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Mailbox
from .services import MAILBOX_FIELDS


class MailboxForm(forms.ModelForm):
    """Every mailbox setting; the two passwords are write-only: left empty, the stored one is kept."""

    new_password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    new_smtp_password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Mailbox
        fields = MAILBOX_FIELDS

    field_order = [
        "name",
        "protocol",
        "host",
        "port",
        "use_tls",
        "username",
        "new_password",
        "folder",
        "team",
        "from_address",
        "from_name",
        "smtp_host",
        "smtp_port",
        "smtp_use_tls",
        "smtp_username",
        "new_smtp_password",
        "notifications_enabled",
        "email_other_channels",
        "closed_ticket_replies",
        "delete_after_fetch",
        "active",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.pk is not None
        for name, secret in (("new_password", "password"), ("new_smtp_password", "smtp_password")):
            if stored and getattr(self.instance, secret):
                self.fields[name].help_text = _("A password is stored. Leave empty to keep it.")
        self.fields["folder"].help_text = _("IMAP only. Usually INBOX.")
        self.fields["team"].empty_label = _("No team: the routing rules decide")

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("new_password"):
            self.add_error("new_password", _("Enter the mailbox password."))
        return data

    def _post_clean(self):
        """Validation happens in the service (and the model is saved only there), not on form.save()."""

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in MAILBOX_FIELDS if name in self.cleaned_data}

    def secrets(self) -> dict:
        return {
            "password": self.cleaned_data.get("new_password") or "",
            "smtp_password": self.cleaned_data.get("new_smtp_password") or "",
        }
