"""The phone line form of /manage/phone/. It parses input; `services.save_line` saves it."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kefu.accounts.models import Team, User

from .models import PhoneLine
from .services import agents_of

_EXTENSION = re.compile(r"^[0-9A-Za-z*#_-]{1,20}$")


class PhoneLineForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    number = forms.CharField(
        label=pgettext_lazy("phone line", "Number"),
        max_length=40,
        help_text=gettext_lazy("The number customers call, e.g. 400-800-1234."),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team for new call tickets"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=gettext_lazy("No team: the routing rules decide"),
    )
    extensions = forms.CharField(
        label=gettext_lazy("Extensions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "801 = wangfang\n802 = lina"}),
        help_text=gettext_lazy(
            "One per line: the PBX extension, =, and the agent's user name. Answered calls are assigned to "
            "that agent, and a ringing call pops up in their notifications."
        ),
    )
    active = forms.BooleanField(label=pgettext_lazy("phone line", "Active"), required=False, initial=True)

    @staticmethod
    def initial_for(line: PhoneLine) -> dict:
        agents = agents_of(line)
        lines = [f"{ext} = {agents[ext].username}" for ext in sorted(agents)]
        return {
            "name": line.name,
            "number": line.number,
            "team": line.team,
            "extensions": "\n".join(lines),
            "active": line.active,
        }

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if not re.fullmatch(r"\+?[0-9 ()\-]{3,40}", number):
            raise ValidationError(_("Enter a phone number (digits, spaces, + - and brackets)."))
        return number

    def clean_extensions(self) -> dict[str, User]:
        pairs: dict[str, str] = {}
        for raw in self.cleaned_data["extensions"].splitlines():
            if not raw.strip():
                continue
            extension, sep, username = (part.strip() for part in raw.partition("="))
            if not sep or not _EXTENSION.match(extension) or not username:
                raise ValidationError(_("“%(line)s” is not like 801 = username.") % {"line": raw.strip()})
            if extension in pairs:
                raise ValidationError(_("Extension %(ext)s is listed twice.") % {"ext": extension})
            pairs[extension] = username
        users = {
            u.username: u
            for u in User.objects.filter(Q(username__in=list(pairs.values())), is_active=True, is_staff=True)
        }
        unknown = sorted({name for name in pairs.values() if name not in users})
        if unknown:
            raise ValidationError(
                _("No active staff user is called %(names)s.") % {"names": ", ".join(unknown)}
            )
        return {ext: users[name] for ext, name in pairs.items()}

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "number", "team", "active")}
