"""The API's URLs: the schema, the docs, and version 1 of the resources each app's `api` package provides."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from kefu.accounts.api.views import TeamViewSet, UserViewSet
from kefu.customers.api.views import CustomerViewSet
from kefu.tickets.api.views import AttachmentDownloadView, MessageViewSet, TicketViewSet

from .schema import DocsView, SchemaView

app_name = "api"

v1 = SimpleRouter()
v1.register("tickets", TicketViewSet, basename="ticket")
v1.register(r"tickets/(?P<ticket_pk>[0-9]+)/messages", MessageViewSet, basename="ticket-message")
v1.register("customers", CustomerViewSet, basename="customer")
v1.register("users", UserViewSet, basename="user")
v1.register("teams", TeamViewSet, basename="team")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("v1/", include(v1.urls)),
    path("v1/attachments/<int:pk>/download/", AttachmentDownloadView.as_view(), name="attachment-download"),
]
