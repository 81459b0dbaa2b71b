from django.urls import path, register_converter

from .views import chat, customers, queue, ticket


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
    path("tickets/<ws_id:pk>/", ticket.ticket_page, name="ticket"),
    path("tickets/<ws_id:pk>/reply/", ticket.reply, name="reply"),
    path("tickets/<ws_id:pk>/fields/", ticket.update_fields, name="update_fields"),
    path("tickets/<ws_id:pk>/assign-me/", ticket.assign_me, name="assign_me"),
    path("tickets/<ws_id:pk>/macro/", ticket.macro, name="macro"),
    path("attachments/<ws_id:pk>/", ticket.attachment, name="attachment"),
    path("chats/", chat.chat_console, name="chats"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/new/", customers.customer_new, name="customer_new"),
    path("customers/<ws_id:pk>/", customers.customer_detail, name="customer"),
    path("customers/<ws_id:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<ws_id:pk>/reveal/", customers.customer_reveal, name="customer_reveal"),
]
