from django.urls import path, register_converter

from .views import chat, customers, escalation, knowledge, links, notifications, queue, ticket


class IdConverter:
    """A database id: digits only and short enough for a 64-bit column (longer ones are a 404, not a 500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "ws_id")

app_name = "workspace"
urlpatterns = [
    path("", queue.queue, name="home"),
    path("bulk/", queue.bulk, name="bulk"),
    path("export.csv", queue.export, name="export"),
    path("tickets/<ws_id:pk>/", ticket.ticket_page, name="ticket"),
    path("tickets/<ws_id:pk>/reply/", ticket.reply, name="reply"),
    path("tickets/<ws_id:pk>/fields/", ticket.update_fields, name="update_fields"),
    path("tickets/<ws_id:pk>/assign-me/", ticket.assign_me, name="assign_me"),
    path("tickets/<ws_id:pk>/macro/", ticket.macro, name="macro"),
    path("tickets/<ws_id:pk>/escalate/", escalation.escalate, name="escalate"),
    path("tickets/<ws_id:pk>/links/", links.link, name="link"),
    path("tickets/<ws_id:pk>/links/<ws_id:link_pk>/delete/", links.unlink, name="unlink"),
    path("attachments/<ws_id:pk>/", ticket.attachment, name="attachment"),
    path("chats/", chat.chat_console, name="chats"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/bell/", notifications.bell, name="notification_bell"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/<ws_id:pk>/", customers.customer_detail, name="customer"),
    path("customers/<ws_id:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<ws_id:pk>/reveal/", customers.customer_reveal, name="customer_reveal"),
    path("knowledge/", knowledge.knowledge_home, name="knowledge"),
    path("knowledge/articles/new/", knowledge.article_edit, name="knowledge_article_new"),
    path("knowledge/articles/<ws_id:pk>/", knowledge.article_detail, name="knowledge_article"),
    path("knowledge/articles/<ws_id:pk>/edit/", knowledge.article_edit, name="knowledge_article_edit"),
    path("knowledge/articles/<ws_id:pk>/status/", knowledge.article_status, name="knowledge_article_status"),
    path("knowledge/articles/<ws_id:pk>/files/", knowledge.article_files, name="knowledge_files"),
    path(
        "knowledge/articles/<ws_id:pk>/files/<str:key>/delete/",
        knowledge.article_file_delete,
        name="knowledge_file_delete",
    ),
    path("knowledge/articles/<ws_id:pk>/v/<ws_id:version>/", knowledge.article_diff, name="knowledge_diff"),
    path(
        "knowledge/articles/<ws_id:pk>/v/<ws_id:version>/restore/",
        knowledge.article_restore,
        name="knowledge_restore",
    ),
    path("knowledge/faq/new/", knowledge.faq_edit, name="knowledge_faq_new"),
    path("knowledge/faq/<ws_id:pk>/", knowledge.faq_detail, name="knowledge_faq"),
    path("knowledge/faq/<ws_id:pk>/edit/", knowledge.faq_edit, name="knowledge_faq_edit"),
    path("tickets/<ws_id:pk>/knowledge/", knowledge.ticket_suggestions, name="knowledge_suggestions"),
    path("tickets/<ws_id:pk>/draft-faq/", knowledge.ticket_draft_faq, name="knowledge_draft_faq"),
]
