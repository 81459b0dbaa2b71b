"""Notifications in the Django admin: read-only, for finding out why someone did (not) get one."""

from django.contrib import admin

from kefu.administration.admin_tools import ReadOnlyAdmin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "ticket_id", "in_app", "by_email", "emailed_at", "created_at", "read_at")
    list_filter = ("kind", "in_app", "by_email")
    list_select_related = ("recipient",)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "in_app", "by_email")
    list_filter = ("kind",)
    list_select_related = ("user",)
