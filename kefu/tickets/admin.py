"""Django admin for tickets and their configuration (superusers only).

Status, timestamps and counters are read-only here: they move only through the ticket services, which
also write the timeline and notify. Lists stay fast with a million tickets: related rows are joined, big
foreign keys are raw ids, and the table is never counted in full.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kefu.administration.admin_tools import AuditedAdmin

from .models import Attachment, Category, CustomField, Macro, Message, Priority, Tag, Ticket, priority_rank_of


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "code", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en", "code")


@admin.register(Priority)
class PriorityAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "code", "rank", "color", "is_default")


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(CustomField)
class CustomFieldAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "key", "kind", "required", "customer_visible", "is_active")
    list_filter = ("kind", "is_active", "customer_visible")


@admin.register(Macro)
class MacroAdmin(AuditedAdmin):
    list_display = ("name", "is_shared", "owner", "usage_count", "created_at")
    list_select_related = ("owner",)
    list_filter = ("is_shared",)
    search_fields = ("name",)
    raw_id_fields = ("owner",)
    readonly_fields = ("usage_count",)


@admin.register(Ticket)
class TicketAdmin(AuditedAdmin):
    list_display = (
        "id",
        "subject",
        "status",
        "customer",
        "team",
        "assignee",
        "priority",
        "category",
        "channel",
        "updated_at",
    )
    list_display_links = ("id", "subject")
    list_select_related = ("customer", "team", "assignee", "priority", "category")
    list_filter = ("status", "channel", "severity", "team", "priority", "category")
    search_fields = ("=id", "=external_id", "subject")
    raw_id_fields = ("customer", "assignee", "tags")
    readonly_fields = (
        "status",
        "created_at",
        "updated_at",
        "first_response_at",
        "solved_at",
        "closed_at",
        "reopened_count",
        "last_customer_message_at",
        "message_count",
    )
    fieldsets = (
        (None, {"fields": ("subject", "status", "customer", "channel", "external_id")}),
        (
            _("Routing"),
            {"fields": ("team", "assignee", "category", "priority", "severity", "tags", "custom_fields")},
        ),
        (
            _("Times"),
            {
                "fields": (
                    "created_at",
                    "updated_at",
                    "first_response_at",
                    "solved_at",
                    "closed_at",
                    "reopened_count",
                    "last_customer_message_at",
                    "message_count",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        obj.priority_rank = priority_rank_of(obj.priority)  # the queue sorts by this copy
        super().save_model(request, obj, form, change)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("filename", "content_type", "size", "file")
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(AuditedAdmin):
    """The conversation is a record: readable here, never edited (delete stays possible for abuse)."""

    list_display = (
        "id",
        "ticket",
        "kind",
        "author_kind",
        "author",
        "channel",
        "delivery_status",
        "created_at",
    )
    list_select_related = ("ticket", "author")
    list_filter = ("kind", "author_kind", "channel", "delivery_status")
    search_fields = ("=id", "=ticket__id", "=external_id")
    raw_id_fields = ("ticket", "author")
    inlines = [AttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
