"""Django admin for scorecards and their criteria (the inline); reviews are written only by the review pages."""

from django.contrib import admin

from kefu.administration.admin_tools import AuditedAdmin

from .models import Criterion, Scorecard


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1
    fields = ("position", "name", "name_en", "description", "max_points", "is_critical")


@admin.register(Scorecard)
class ScorecardAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en")
    inlines = [CriterionInline]
