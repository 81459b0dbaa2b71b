"""The SLA policy form of /manage/sla/: conditions as checkboxes of the real choices, targets as an amount
and a unit, the warning share, the clock (business hours on a calendar, or around the clock) and escalation."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.customers.models import Tier
from kefu.sla.models import BusinessCalendar, SlaPolicy
from kefu.sla.policies import MAX_TARGET
from kefu.tickets.models import Category, Channel, Priority, Severity


class Unit:
    SECOND = "seconds"  # live chat's first response is counted in seconds ("answered within 30 s")
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    SECONDS = {SECOND: 1, MINUTES: 60, HOURS: 3600, DAYS: 86400}
    CHOICES = (
        (SECOND, _("seconds")),
        (MINUTES, _("minutes")),
        (HOURS, _("hours")),
        (DAYS, _("days")),
    )


# The targets the SLA clocks time, with their form labels (the model's `next_response` is not timed yet).
TARGETS = (
    ("first_response", _("First response")),
    ("resolution", _("Resolution")),
    ("escalate_after", _("Escalate to a supervisor after")),
)
# A bound on the amount alone (365 days in seconds); the service checks the duration itself.
_MAX_AMOUNT = int(MAX_TARGET.total_seconds())


def _checkboxes(label) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any.")
    )


class CalendarChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


def split_duration(value: timedelta | None) -> tuple[int | None, str]:
    """A stored duration as (amount, unit), in the largest unit that divides it evenly."""
    if not value:
        return None, Unit.HOURS
    seconds = int(value.total_seconds())
    for unit in (Unit.DAYS, Unit.HOURS, Unit.MINUTES):
        if seconds % Unit.SECONDS[unit] == 0:
            return seconds // Unit.SECONDS[unit], unit
    return seconds, Unit.SECOND


class PolicyForm(forms.Form):
    """One SLA policy. Conditions left empty match any ticket; targets left empty are not timed."""

    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=pgettext_lazy("policy", "Active"), required=False, initial=True)
    categories = _checkboxes(_("Categories"))
    priorities = _checkboxes(_("Priorities"))
    severities = _checkboxes(_("Complaint severities"))
    tiers = _checkboxes(_("Customer tiers"))
    channels = _checkboxes(_("Channels"))
    warning_percent = forms.IntegerField(
        label=_("Warn at this percentage of the target"),
        min_value=1,
        max_value=99,
        initial=80,
        help_text=_("The ticket shows a warning when this share of a target has passed."),
    )
    business_time = forms.BooleanField(
        label=_("Count business hours only"),
        required=False,
        initial=True,
        help_text=_("Targets count the working time of the calendar; otherwise they run around the clock."),
    )
    calendar = CalendarChoiceField(
        label=_("Calendar"),
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
        empty_label="—",
    )
    escalate_on_warning = forms.BooleanField(
        label=_("Escalate on warning"),
        required=False,
        help_text=_("Move the ticket up one level as soon as a target is about to be missed."),
    )
    escalate_on_breach = forms.BooleanField(
        label=_("Escalate on breach"),
        required=False,
        help_text=_("Move the ticket up one level when a target is missed (complaints always are)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels in the active language, read per form (categories and priorities are rows).
        self.fields["categories"].choices = [(c.code, c.label) for c in Category.objects.all()]
        self.fields["priorities"].choices = [(p.code, p.label) for p in Priority.objects.all()]
        self.fields["severities"].choices = Severity.choices
        self.fields["tiers"].choices = Tier.choices
        self.fields["channels"].choices = Channel.choices
        for name, label in TARGETS:
            self.fields[name] = forms.IntegerField(
                label=label, required=False, min_value=1, max_value=_MAX_AMOUNT
            )
            self.fields[f"{name}_unit"] = forms.ChoiceField(
                label=_("Unit"), choices=Unit.CHOICES, initial=Unit.HOURS
            )

    def target_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(amount, unit) per target, for the template."""
        return [(self[name], self[f"{name}_unit"]) for name, _label in TARGETS]

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {
            name: data[name]
            for name in (
                "name",
                "is_active",
                "warning_percent",
                "business_time",
                "calendar",
                "escalate_on_warning",
                "escalate_on_breach",
            )
        }
        for name in ("categories", "priorities", "severities", "tiers", "channels"):
            values[name] = list(data[name])
        for name, _label in TARGETS:
            amount = data.get(name)
            values[name] = timedelta(seconds=amount * Unit.SECONDS[data[f"{name}_unit"]]) if amount else None
        return values

    @staticmethod
    def initial_for(policy: SlaPolicy) -> dict:
        initial = {
            name: getattr(policy, name)
            for name in (
                "name",
                "is_active",
                "categories",
                "priorities",
                "severities",
                "tiers",
                "channels",
                "warning_percent",
                "business_time",
                "escalate_on_warning",
                "escalate_on_breach",
            )
        }
        initial["calendar"] = policy.calendar_id
        for name, _label in TARGETS:
            initial[name], initial[f"{name}_unit"] = split_duration(getattr(policy, name))
        return initial
