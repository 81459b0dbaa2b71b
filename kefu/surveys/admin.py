"""Surveys in the Django admin: read-only, for looking up what a customer answered and when."""

from django.contrib import admin

from kefu.administration.admin_tools import ReadOnlyAdmin

from .models import Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = (
        "ticket_id",
        "solved_at",
        "csat",
        "nps",
        "answered_at",
        "source",
        "expires_at",
        "team",
        "agent",
    )
    list_filter = ("csat", "source", "team")
    list_select_related = ("team", "agent")
    search_fields = ("=ticket__id",)
    date_hierarchy = "solved_at"
