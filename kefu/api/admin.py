"""Idempotency keys in the Django admin: read-only, for looking into a retried request."""

from django.contrib import admin

from kefu.administration.admin_tools import ReadOnlyAdmin

from .models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ("key", "user", "status_code", "created_at")
    list_select_related = ("user",)
    search_fields = ("=key",)
    raw_id_fields = ("user",)
