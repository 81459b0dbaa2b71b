"""Forms of the login and profile pages: they parse input; the services in `services.py` do the writing."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Presence
from .rules import COMMON_TIMEZONES


def language_choices() -> list[tuple[str, str]]:
    return [("", _("As my browser says")), *settings.LANGUAGES]


def timezone_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [("", _("Default (%(zone)s)") % {"zone": settings.DEFAULT_USER_TIMEZONE}), *COMMON_TIMEZONES]
    if current and current not in {code for code, _label in choices}:
        choices.append((current, current))  # a zone set elsewhere (API, admin) stays selectable
    return choices


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Wrong username or password. Note that both may be case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        required=False,
        help_text=_("Shown to colleagues and, on replies, to customers."),
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), required=False)
    presence = forms.ChoiceField(label=_("Presence"), choices=Presence.choices)

    def __init__(self, *args, current_timezone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()
        self.fields["timezone"].choices = timezone_choices(current_timezone)


class KefuPasswordChangeForm(PasswordChangeForm):
    """Django's form checks the old password and the validators; the service saves and audits."""

    def save(self, commit: bool = True):  # pragma: no cover - the view calls the service instead
        raise NotImplementedError("use kefu.accounts.services.change_password")
