from django.contrib import admin

from .models import ChatSite, ChatTopic, Conversation


class ChatTopicInline(admin.TabularInline):
    model = ChatTopic
    extra = 0


@admin.register(ChatSite)
class ChatSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "team", "calendar", "bot_enabled", "is_active"]
    readonly_fields = ["key"]
    inlines = [ChatTopicInline]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "site", "status", "phase", "agent", "queued_at", "accepted_at", "ended_at"]
    list_filter = ["status", "phase", "site"]
    raw_id_fields = ["customer", "agent", "ticket", "linked_ticket"]
