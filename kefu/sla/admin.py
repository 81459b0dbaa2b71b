"""SLA configuration in the Django admin (audited: it moves every deadline): calendars, policies; breaches and escalations read-only."""

from django import forms
from django.contrib import admin

from kefu.administration.admin_tools import AuditedAdmin, ReadOnlyAdmin
from kefu.core.errors import InvalidInput

from .calendars import check_hours, check_time_zone
from .models import BusinessCalendar, CalendarDate, Escalation, SlaEvent, SlaPolicy
from .policies import POLICY_FIELDS, check_policy


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 1


class BusinessCalendarAdminForm(forms.ModelForm):
    """The admin's calendar form, held to the same rules as /manage/calendars/ (a known time zone, well-formed
    weekly hours): a calendar no job can read must not be stored."""

    class Meta:
        model = BusinessCalendar
        fields = ("name", "time_zone", "hours", "use_china_holidays", "always_open")

    def clean_time_zone(self):
        return _checked(check_time_zone, self.cleaned_data["time_zone"])

    def clean_hours(self):
        return _checked(check_hours, self.cleaned_data["hours"] or {})


def _checked(check, value):
    try:
        return check(value)
    except InvalidInput as error:
        raise forms.ValidationError(str(error.message)) from None


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    form = BusinessCalendarAdminForm
    list_display = ("name", "time_zone", "use_china_holidays", "always_open")
    inlines = [CalendarDateInline]


class SlaPolicyAdminForm(forms.ModelForm):
    """The admin's policy form, held to the same rules as /manage/sla/ (no negative or absurd targets)."""

    class Meta:
        model = SlaPolicy
        fields = ("name", "position", *POLICY_FIELDS)

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in POLICY_FIELDS):
            return data  # a field is already refused: its own message says why
        values = {name: data.get(name) for name in POLICY_FIELDS if name in self.fields}
        try:
            data.update(check_policy(values))
        except InvalidInput as error:
            self.add_error(error.field if error.field in self.fields else None, str(error.message))
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
    form = SlaPolicyAdminForm
    list_display = (
        "name",
        "position",
        "is_active",
        "first_response",
        "resolution",
        "escalate_after",
        "escalate_on_warning",
        "escalate_on_breach",
        "business_time",
    )
    list_editable = ("position", "is_active")
    list_select_related = ("calendar",)


@admin.register(SlaEvent)
class SlaEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket_id", "kind", "target", "due", "at")
    list_filter = ("kind", "target")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("ticket_id", "from_level", "to_level", "reason", "actor", "created_at")
    list_select_related = ("actor",)
