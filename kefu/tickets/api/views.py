"""Ticket, message and attachment endpoints.

Exactly the pages' rules: what a user may see comes from `tickets.access.visible_tickets` (anything else
is 404), and every write is a `tickets.services` call, which checks who may work the ticket, assignment
rules and status transitions. Lists run a fixed number of queries whatever the page size.
"""

import django_filters
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kefu.accounts.models import Team
from kefu.api.fields import represented, validated
from kefu.api.filters import IdFilter, MomentFilter
from kefu.api.pagination import TimelineCursorPagination
from kefu.api.permissions import IsStaffUser
from kefu.api.viewsets import KefuViewSet
from kefu.core.errors import NotFound
from kefu.customers.models import IdentityKind
from kefu.customers.services import find_or_create_customer
from kefu.tickets import services
from kefu.tickets.access import can_view_ticket, get_visible_ticket, visible_tickets
from kefu.tickets.links import links_for
from kefu.tickets.models import (
    Attachment,
    Category,
    Channel,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Tag,
    Ticket,
)
from kefu.tickets.search import filter_tickets

from .serializers import (
    MessageCreateSerializer,
    MessageSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)


class TicketFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, help_text=_("Repeat for several."))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", help_text=_("Category code.")
    )
    priority = django_filters.ModelChoiceFilter(
        queryset=Priority.objects.all(), to_field_name="code", help_text=_("Priority code.")
    )
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), help_text=_("Team id."))
    assignee = django_filters.CharFilter(
        method="filter_assignee", help_text=_('User id, "me", or "none" for unassigned tickets.')
    )
    tag = django_filters.CharFilter(field_name="tags__name", help_text=_("Tag name."))
    customer = IdFilter(field_name="customer_id", help_text=_("Customer id."))
    q = django_filters.CharFilter(
        method="filter_text",
        max_length=200,
        help_text=_("Words in the subject or messages (all of them), the customer's name, or a ticket number."),
    )
    updated_after = MomentFilter(
        field_name="updated_at",
        lookup_expr="gt",
        help_text=_("ISO 8601 date and time, e.g. 2026-01-31T08:00:00+08:00."),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_text(self, queryset, name, value: str):
        return filter_tickets(queryset, value)[0] if value.strip() else queryset

    def filter_assignee(self, queryset, name, value: str):
        value = value.strip().lower()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee_id=self.request.user.pk)
        if not value.isdecimal() or len(value) > 18:
            raise ValidationError({"assignee": [_('Give a user id, "me" or "none".')]})
        return queryset.filter(assignee_id=int(value))


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=-updated_at` and friends, with the id as tie-breaker so cursor pages never skip a row."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        first = ordering[0]
        if first.lstrip("-") == "id":
            return (first,)
        return (first, "-id" if first.startswith("-") else "id")


@extend_schema_view(
    list=extend_schema(summary=_("Tickets the user may see"), responses=TicketSerializer),
    retrieve=extend_schema(summary=_("One ticket"), responses=TicketSerializer),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, StableOrderingFilter]
    ordering_fields = ["updated_at", "created_at", "id"]
    ordering = ("-updated_at", "-id")
    lookup_value_regex = "[0-9]+"
    action_permissions = {"create": ("tickets.add_ticket",)}

    def get_queryset(self):
        return visible_tickets(self.request.user, Ticket.objects.for_list())

    @extend_schema(
        summary=_("Open a ticket"),
        request={"application/json": TicketCreateSerializer, "multipart/form-data": TicketCreateSerializer},
        responses={201: TicketDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = validated(TicketCreateSerializer, request.data)
        ticket = _open_ticket(actor=request.user, data=data)
        shown = _as_created(ticket, data)
        shown.shown_links = []  # a ticket opened through the API has no links yet
        location = request.build_absolute_uri(reverse("api:ticket-detail", args=[ticket.pk]))
        body = represented(TicketDetailSerializer, shown, context=self.get_serializer_context())
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(responses=TicketDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One ticket, with its links to other tickets (follow-ups, related) the caller may see."""
        ticket = self.get_object()
        ticket.shown_links = links_for(request.user, ticket)
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data)

    @extend_schema(summary=_("Change a ticket"), request=TicketUpdateSerializer, responses=TicketSerializer)
    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        form = TicketUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.update_ticket(
            ticket=ticket, actor=request.user, changes=services.TicketChanges(**form.validated_data)
        )
        return Response(self.get_serializer(Ticket.objects.for_list().get(pk=ticket.pk)).data)


def _open_ticket(*, actor, data: dict) -> Ticket:
    """Resolve the customer, open the ticket, and assign it through the assignment rules — all or nothing."""
    with transaction.atomic():
        customer = data.get("customer")
        if customer is None:
            kind = IdentityKind.EMAIL if data.get("customer_email") else IdentityKind.PHONE
            value = data.get("customer_email") or data.get("customer_phone")
            customer = find_or_create_customer(kind=kind, value=value, name=data.get("customer_name", ""))
        ticket = services.create_ticket(
            customer=customer,
            subject=data["subject"],
            text=data.get("text", ""),
            html=data.get("html", ""),
            channel=data["channel"],
            actor=actor,
            category=data.get("category"),
            priority=data.get("priority"),
            severity=data.get("severity") or Severity.NORMAL,
            team=data.get("team"),
            tags=data.get("tags", ()),
            custom_fields=data.get("custom_fields"),
            attachments=data.get("attachments", ()),
        )
        if data.get("assignee") is not None:
            # Not passed to create_ticket: update_ticket applies who-may-assign-whom and notifies the assignee.
            services.update_ticket(
                ticket=ticket, actor=actor, changes=services.TicketChanges(assignee=data["assignee"])
            )
    return ticket


def _as_created(ticket: Ticket, data: dict) -> Ticket:
    """The new ticket ready for `TicketSerializer`, without reading back the rows just written.

    `create_ticket` returns the ticket with its customer, category, priority and team objects attached and
    every column as stored; only its tags need a look (none at all when none were given). A ticket that
    was also assigned went through `update_ticket`, so that one is read again as the list shows it.
    """
    if data.get("assignee") is not None:
        return Ticket.objects.for_list().get(pk=ticket.pk)
    if data.get("tags"):
        prefetch_related_objects([ticket], "tags")
    else:
        # What prefetching an empty query set leaves behind (`ticket.tags.all()` is then empty, no query),
        # without the prefetch machinery's cost.
        ticket._prefetched_objects_cache = {"tags": Tag.objects.none()}
    return ticket


_TICKET_ID = OpenApiParameter(
    "ticket_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Ticket id.")
)


@extend_schema_view(
    list=extend_schema(summary=_("A ticket's timeline: messages, notes and events"), parameters=[_TICKET_ID]),
)
class MessageViewSet(mixins.ListModelMixin, KefuViewSet):
    serializer_class = MessageSerializer
    pagination_class = TimelineCursorPagination

    def ticket(self) -> Ticket:
        if not hasattr(self, "_ticket"):
            self._ticket = get_visible_ticket(self.request.user, self.kwargs["ticket_pk"])
        return self._ticket

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the view, no request
            return Message.objects.none()
        return (
            Message.objects.filter(ticket=self.ticket())
            .select_related("author")
            .prefetch_related("attachments")
        )

    @extend_schema(
        summary=_("Reply to the customer or add an internal note"),
        parameters=[_TICKET_ID],
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateSerializer},
        responses={201: MessageSerializer},
    )
    def create(self, request, *args, **kwargs):
        ticket = self.ticket()
        form = MessageCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        content = {
            "text": data.get("text", ""),
            "html": data.get("html", ""),
            "attachments": data.get("attachments", ()),
        }
        if data["kind"] == MessageKind.REPLY:
            message = services.add_reply(
                ticket=ticket, actor=request.user, status=data.get("status"), **content
            )
        else:
            message = services.add_note(ticket=ticket, actor=request.user, **content)
        shown = Message.objects.select_related("author").prefetch_related("attachments").get(pk=message.pk)
        return Response(self.get_serializer(shown).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadView(APIView):
    """The file of an attachment, for users who may see its ticket (404 for everyone else)."""

    permission_classes = [IsStaffUser]

    @extend_schema(
        summary=_("Download an attachment"),
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request, pk: int):
        attachment = Attachment.objects.select_related("message__ticket").filter(pk=pk).first()
        if attachment is None or not can_view_ticket(request.user, attachment.message.ticket):
            raise NotFound()
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise NotFound(_("The file of this attachment is missing."))
        # Always as a download, never rendered by the browser: the content comes from outside.
        return FileResponse(
            handle, as_attachment=True, filename=attachment.filename, content_type="application/octet-stream"
        )
