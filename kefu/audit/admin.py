"""The audit log in the Django admin: read-only, as the trail must not be edited."""

from django.contrib import admin

from kefu.administration.admin_tools import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr")
    list_select_related = ("actor",)
    # Exact matches only: each can use an index on a table that grows with every change.
    search_fields = ("=object_type", "=object_id", "=action", "=actor__username")
    raw_id_fields = ("actor",)
