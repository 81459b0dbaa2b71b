"""The API's URLs: the schema, the docs, and version 1 of the resources each app's `api` package provides."""

from django.urls import include, path, re_path, reverse
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from kefu.accounts.api.views import TeamViewSet, UserViewSet
from kefu.customers.api.views import CustomerViewSet
from kefu.quality.api.views import ReviewViewSet
from kefu.surveys.api.views import SurveyViewSet
from kefu.tickets.api.views import AttachmentDownloadView, MessageViewSet, TicketViewSet

from .permissions import IsStaffUser
from .schema import DocsView, SchemaView

app_name = "api"


class NoSuchResource(APIView):
    """Any other address under /api/ (an unknown resource, an id that is not a number): a JSON 404 in the
    request's language, like the API's other errors, instead of the site's HTML page. Said to anyone,
    signed in or not: it tells nothing a client could not guess."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    schema = None  # not a resource: left out of the OpenAPI document

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = head = options = http_method_not_allowed


class ApiRoot(APIView):
    """`/api/v1/`: where each resource lives, with the schema and the interactive docs, for a client (or a
    person with curl) finding their way; staff only, like the resources."""

    permission_classes = [IsStaffUser]
    schema = None

    def get(self, request, *args, **kwargs):
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(f"api:{name}"))

        resources = {name: url(f"{basename}-list") for name, basename in RESOURCES}
        return Response({**resources, "schema": url("schema"), "docs": url("docs")})


RESOURCES = [
    ("tickets", "ticket"),
    ("customers", "customer"),
    ("users", "user"),
    ("teams", "team"),
    ("surveys", "survey"),
    ("quality/reviews", "quality-review"),
]

v1 = SimpleRouter()
v1.register("tickets", TicketViewSet, basename="ticket")
v1.register(r"tickets/(?P<ticket_pk>[0-9]+)/messages", MessageViewSet, basename="ticket-message")
v1.register("customers", CustomerViewSet, basename="customer")
v1.register("users", UserViewSet, basename="user")
v1.register("teams", TeamViewSet, basename="team")
v1.register("surveys", SurveyViewSet, basename="survey")
v1.register("quality/reviews", ReviewViewSet, basename="quality-review")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("v1/", ApiRoot.as_view(), name="root"),
    path("v1/", include(v1.urls)),
    path("v1/attachments/<int:pk>/download/", AttachmentDownloadView.as_view(), name="attachment-download"),
    # Last: only what nothing above matched. Slash-terminated only, so Django still redirects "tickets" to
    # "tickets/" (APPEND_SLASH) rather than answering 404 for a missing slash.
    re_path(r"^.*/$", NoSuchResource.as_view(), name="not-found"),
]
