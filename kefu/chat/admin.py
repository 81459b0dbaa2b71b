from django.contrib import admin

from .models import ChatSite, Conversation


@admin.register(ChatSite)
class ChatSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "team", "is_active"]
    readonly_fields = ["key"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "site", "status", "agent", "queued_at", "accepted_at", "ended_at"]
    list_filter = ["status", "site"]
    raw_id_fields = ["customer", "agent", "ticket"]
