"""Tickets and messages as the API shows them, and the input it accepts to create and change them.

Output names related objects with a small nested object (`"category": {"code": "complaint", "name": "投诉"}`);
input takes the same thing by code or id (`"category": "complaint"`, `"team": 3`). Input serializers only
parse and check shapes; the services decide what is allowed.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.accounts.api.serializers import TeamRefSerializer, UserRefSerializer
from kefu.accounts.models import Team
from kefu.api.fields import BuiltOnceFieldsMixin, CustomFieldValuesField, StrictInputSerializer
from kefu.customers.models import Customer
from kefu.customers.rules import normalize_identity
from kefu.tickets.models import (
    Attachment,
    Category,
    Channel,
    Message,
    MessageKind,
    Priority,
    Severity,
    Status,
    Ticket,
)

User = get_user_model()

MAX_TEXT = 100_000
MAX_HTML = 500_000
MAX_TAGS = 50
MAX_FILES = 20

# --- output ---------------------------------------------------------------------------------------


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label")


class CustomerRefSerializer(serializers.Serializer):
    """The customer a ticket belongs to: no personal data here (see /customers/{id}/)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()


class TicketSerializer(BuiltOnceFieldsMixin, serializers.ModelSerializer):
    number = serializers.IntegerField(read_only=True)
    category = CodeNameSerializer(allow_null=True)
    priority = CodeNameSerializer(allow_null=True)
    team = TeamRefSerializer(allow_null=True)
    assignee = UserRefSerializer(allow_null=True)
    customer = CustomerRefSerializer()
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    custom_fields = serializers.DictField(child=serializers.JSONField(), read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "subject",
            "status",
            "category",
            "priority",
            "severity",
            "channel",
            "team",
            "assignee",
            "customer",
            "tags",
            "custom_fields",
            "external_id",
            "created_at",
            "updated_at",
            "first_response_at",
            "solved_at",
            "closed_at",
            "reopened_count",
            "message_count",
            "last_customer_message_at",
        ]
        read_only_fields = fields


class TicketLinkSerializer(serializers.Serializer):
    """A link to another ticket seen from this one: `follow_up` with `direction` "out" means this ticket
    is a follow-up of `ticket`; "in" means `ticket` is a follow-up of this one."""

    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=["follow_up", "related"])
    direction = serializers.SerializerMethodField()
    ticket = serializers.IntegerField(source="other.pk")
    subject = serializers.CharField(source="other.subject")
    status = serializers.CharField(source="other.status")

    def get_direction(self, link) -> str:
        return "out" if link.outgoing else "in"


class TicketDetailSerializer(TicketSerializer):
    """One ticket as `GET /tickets/{id}/` shows it: the list's fields plus its links the caller may see."""

    links = TicketLinkSerializer(many=True, read_only=True, source="shown_links")

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "links"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: Attachment) -> str:
        path = reverse("api:attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MessageSerializer(BuiltOnceFieldsMixin, serializers.ModelSerializer):
    """One timeline entry. Events carry `event_type` and `event_data` instead of text."""

    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    author = UserRefSerializer(allow_null=True, read_only=True)
    text = serializers.CharField(source="body_text", read_only=True)
    html = serializers.CharField(source="body_html", read_only=True)
    event_data = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text=_(
            "What the event recorded. Names of teams, categories and priorities are objects with both "
            'languages, {"zh": …, "en": …}; events recorded before 2026-11-30 hold plain strings.'
        ),
    )
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "kind",
            "author_kind",
            "author",
            "text",
            "html",
            "event_type",
            "event_data",
            "channel",
            "delivery_status",
            "delivery_error",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------------


def _category_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown category code: {value}."), "invalid": _("Give a code.")},
        help_text=_("Category code, e.g. complaint."),
        **kwargs,
    )


def _priority_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Priority.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("Unknown priority code: {value}."), "invalid": _("Give a code.")},
        help_text=_("Priority code, e.g. urgent."),
        **kwargs,
    )


def _team_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, help_text=_("Team id.")
    )


def _assignee_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_staff=True, is_active=True),
        required=False,
        allow_null=True,
        help_text=_("Id of an active staff user."),
    )


def _tags_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=MAX_TAGS,
        help_text=_("Tag names; the list replaces the ticket's tags."),
    )


def _files_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        max_length=MAX_FILES,
        help_text=_("Files, in a multipart/form-data request."),
    )


class TicketCreateSerializer(StrictInputSerializer):
    """A new ticket. The customer is given by id, or by e-mail or phone (found, or created with `customer_name`)."""

    subject = serializers.CharField(max_length=255)
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT, trim_whitespace=False)
    html = serializers.CharField(required=False, allow_blank=True, max_length=MAX_HTML, trim_whitespace=False)
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, help_text=_("Id of an existing customer.")
    )
    customer_email = serializers.EmailField(required=False, max_length=254)
    customer_phone = serializers.CharField(required=False, max_length=40)
    customer_name = serializers.CharField(required=False, max_length=200)
    category = _category_field()
    priority = _priority_field()
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    team = _team_field()
    assignee = _assignee_field()
    tags = _tags_field()
    custom_fields = CustomFieldValuesField(required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    attachments = _files_field()

    def validate_customer_phone(self, value: str) -> str:
        digits = normalize_identity("phone", value).lstrip("+")
        if not (5 <= len(digits) <= 20):
            raise serializers.ValidationError(_("Enter a valid phone number."))
        return value

    def validate(self, attrs: dict) -> dict:
        given = [name for name in ("customer", "customer_email", "customer_phone") if attrs.get(name)]
        if not given:
            raise serializers.ValidationError(
                {"customer": [_("Give the customer's id, or their e-mail or phone to find or create them.")]}
            )
        if len(given) > 1:
            raise serializers.ValidationError(
                {"customer": [_("Give only one of customer, customer_email and customer_phone.")]}
            )
        if attrs.get("customer_name") and attrs.get("customer"):
            raise serializers.ValidationError(
                {"customer_name": [_("customer_name is only used with customer_email or customer_phone.")]}
            )
        return attrs


class TicketUpdateSerializer(StrictInputSerializer):
    """The fields a PATCH may change; those left out stay as they are."""

    subject = serializers.CharField(required=False, max_length=255)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    category = _category_field()
    priority = _priority_field()
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    team = _team_field()
    assignee = _assignee_field()
    tags = _tags_field()
    custom_fields = CustomFieldValuesField(required=False)


class MessageCreateSerializer(StrictInputSerializer):
    """A public reply (the customer receives it) or an internal note (staff only)."""

    kind = serializers.ChoiceField(
        choices=[(MessageKind.REPLY, MessageKind.REPLY.label), (MessageKind.NOTE, MessageKind.NOTE.label)]
    )
    text = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT, trim_whitespace=False)
    html = serializers.CharField(required=False, allow_blank=True, max_length=MAX_HTML, trim_whitespace=False)
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text=_("With a reply: the ticket's status afterwards (default: waiting on the customer)."),
    )
    attachments = _files_field()

    def validate(self, attrs: dict) -> dict:
        if attrs.get("status") and attrs["kind"] == MessageKind.NOTE:
            raise serializers.ValidationError({"status": [_("A status can only be set with a reply.")]})
        return attrs
