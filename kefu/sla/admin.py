"""SLA configuration in the Django admin (audited: it moves every deadline): calendars, policies; breaches and escalations read-only."""

from django.contrib import admin

from kefu.administration.admin_tools import AuditedAdmin, ReadOnlyAdmin

from .models import BusinessCalendar, CalendarDate, Escalation, SlaEvent, SlaPolicy


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(AuditedAdmin):
    list_display = ("name", "time_zone", "use_china_holidays", "always_open")
    inlines = [CalendarDateInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdmin):
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
