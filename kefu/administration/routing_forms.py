"""Forms of the routing pages in /manage/: an intake rule, and a sample ticket to try the rules on."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.accounts.models import Team, User
from kefu.accounts.permissions import without_read_only_roles
from kefu.customers.models import Tier
from kefu.routing import rules
from kefu.routing.models import IntakeRule, MatchIn
from kefu.tickets.models import Category, Channel, Priority, Severity

_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_LIST_FIELDS = ("channels", "tiers")
_WORD_FIELDS = ("words", "add_tags")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class RuleForm(forms.Form):
    """Conditions (all optional; every one given must hold) and actions (empty ones change nothing)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=pgettext_lazy("rule", "Active"), required=False, initial=True)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any channel."),
    )
    mailbox = forms.CharField(
        label=_("E-mail mailbox"), max_length=100, required=False,
        help_text=_("The mailbox's name or id; only e-mail tickets from that mailbox match."),
    )
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any customer."),
    )
    words = forms.CharField(
        label=_("Any of these words"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One word or phrase per line (or separated by commas), Chinese or English; case does not matter."),
    )
    match_in = forms.ChoiceField(label=_("Look for words in"), choices=MatchIn.choices, initial=MatchIn.SUBJECT_OR_BODY)
    pattern = forms.CharField(
        label=_("Regular expression"), max_length=rules.PATTERN_MAX_LENGTH, required=False,
        help_text=_("Optional, for experts; case does not matter. A pattern that runs too long counts as no match."),
    )
    time_from = forms.TimeField(label=_("Received from"), required=False, widget=_TIME)
    time_to = forms.TimeField(
        label=_("Received until"), required=False, widget=_TIME,
        help_text=_("Time of day in the service center's time zone; 22:00 to 06:00 runs over midnight."),
    )
    set_category = forms.ModelChoiceField(
        label=_("Set category"), queryset=Category.objects.filter(is_active=True), required=False,
        empty_label="—",
    )
    set_priority = forms.ModelChoiceField(
        label=_("Set priority"), queryset=Priority.objects.all(), required=False, empty_label="—"
    )
    set_severity = forms.ChoiceField(
        label=_("Set complaint severity"), choices=[("", "—"), *Severity.choices], required=False
    )
    set_team = forms.ModelChoiceField(label=_("Set team"), queryset=Team.objects.all(), required=False, empty_label="—")
    set_assignee = StaffChoiceField(
        label=_("Assign to"), required=False, empty_label="—",
        queryset=without_read_only_roles(User.objects.filter(is_staff=True, is_active=True)).order_by(
            "display_name", "username"
        ),
    )
    add_tags = forms.CharField(label=_("Add tags"), required=False, help_text=_("Separated by commas."))
    escalate_to = forms.ChoiceField(
        label=_("Escalate to"), choices=[("", "—"), *IntakeRule._meta.get_field("escalate_to").choices],
        required=False, help_text=_("The new ticket goes straight to this service level."),
    )
    stop = forms.BooleanField(
        label=_("Stop here"), required=False, initial=True,
        help_text=_("When this rule matches, later rules are not tried."),
    )

    def clean_pattern(self) -> str:
        pattern = self.cleaned_data["pattern"]
        if pattern and rules.pattern_error(pattern):
            raise forms.ValidationError(_("This is not a valid regular expression."))
        return pattern

    def service_values(self) -> dict:
        values = dict(self.cleaned_data)
        for name in _WORD_FIELDS:
            values[name] = rules.parse_words(values[name])
        for name in _LIST_FIELDS:
            values[name] = list(values[name])
        return values

    @staticmethod
    def initial_for(rule: IntakeRule) -> dict:
        initial = {name: getattr(rule, name) for name in RuleForm.base_fields if not name.startswith("set_")}
        initial.update(
            words="\n".join(rule.words or []),
            add_tags=", ".join(rule.add_tags or []),
            set_category=rule.set_category_id,
            set_priority=rule.set_priority_id,
            set_severity=rule.set_severity,
            set_team=rule.set_team_id,
            set_assignee=rule.set_assignee_id,
        )
        return initial


class SampleForm(forms.Form):
    """A sample ticket pasted by a supervisor; trying it changes nothing."""

    subject = forms.CharField(label=_("Subject"), max_length=255, required=False)
    body = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.EMAIL)
    tier = forms.ChoiceField(label=_("Customer tier"), choices=Tier.choices, initial=Tier.NORMAL)
    mailbox = forms.CharField(label=_("E-mail mailbox"), max_length=100, required=False)
    at = forms.TimeField(
        label=_("Received at"), required=False, widget=_TIME, help_text=_("Empty: now, in the service center's time zone.")
    )

    def clean(self):
        data = super().clean()
        if not (data.get("subject") or "").strip() and not (data.get("body") or "").strip():
            raise forms.ValidationError(_("Paste a subject or a message to try the rules on."))
        return data
