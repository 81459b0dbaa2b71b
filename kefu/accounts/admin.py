"""Django admin for staff users and teams (superusers only, see kefu/administration/admin.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from kefu.administration.admin_tools import AuditedAdmin, EstimatedCountPaginator

from .models import Team, User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    # Portal customers are users too: the list may be long, so no full counts and no per-row queries.
    list_display = (
        "username",
        "display_name",
        "email",
        "is_staff",
        "is_active",
        "level",
        "presence",
        "last_login",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "level", "presence", "groups")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    ordering = ("username",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Kefu"),
            {
                "fields": (
                    "display_name",
                    "level",
                    "hire_date",
                    "skills",
                    "max_chats",
                    "presence",
                    "language",
                    "timezone",
                    "shift_calendar",
                )
            },
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Kefu"), {"classes": ("wide",), "fields": ("display_name", "email", "is_staff", "level")}),
    )


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "lead", "is_default", "assignment_strategy", "max_open_per_agent")
    list_select_related = ("lead",)
    list_filter = ("is_default", "assignment_strategy")
    search_fields = ("name", "name_en")
    raw_id_fields = ("lead", "members")  # users include every portal customer: never a full <select>
    # Assignment settings are edited on /manage/teams/, where accounts.services validates them.
    exclude = ("assignment_strategy", "max_open_per_agent", "shift_calendar", "escalation_team")
