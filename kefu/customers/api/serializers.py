"""Customers as the API shows them — personal data masked unless revealed — and the input it accepts."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.api.fields import StrictInputSerializer
from kefu.customers.access import shown_id_number, shown_identity
from kefu.customers.models import Customer, IdentityKind, Organization, Tier
from kefu.customers.rules import normalize_identity


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IdentitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=IdentityKind.choices)
    value = serializers.CharField(help_text=_("Masked unless revealed."))


class CustomerSerializer(serializers.ModelSerializer):
    """A customer. Phone numbers, e-mails and the ID number are masked (138****5678) unless the request
    asked for `?reveal=true` and the user may see personal data; `revealed` says which."""

    organization = OrganizationRefSerializer(allow_null=True, read_only=True)
    identities = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()
    revealed = serializers.SerializerMethodField()
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "organization",
            "tier",
            "language",
            "tags",
            "notes",
            "email",
            "phone",
            "id_number",
            "identities",
            "revealed",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _revealed(self) -> bool:
        return bool(self.context.get("revealed"))

    def _shown(self, kind: str, value: str) -> str:
        return shown_identity(self.context["request"].user, kind, value, revealed=self._revealed())

    @extend_schema_field(IdentitySerializer(many=True))
    def get_identities(self, customer: Customer) -> list[dict]:
        return [
            {"id": i.pk, "kind": i.kind, "value": self._shown(i.kind, i.value)}
            for i in customer.identities.all()
        ]

    def get_email(self, customer: Customer) -> str:
        return self._shown(IdentityKind.EMAIL, customer.email)

    def get_phone(self, customer: Customer) -> str:
        return self._shown(IdentityKind.PHONE, customer.phone)

    def get_id_number(self, customer: Customer) -> str:
        return shown_id_number(self.context["request"].user, customer.id_number, revealed=self._revealed())

    def get_revealed(self, customer: Customer) -> bool:
        return self._revealed()


def _language_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


def _organization_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, help_text=_("Organization id.")
    )


def _tags_field() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)


class CustomerCreateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, max_length=254)
    phone = serializers.CharField(required=False, max_length=40)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    language = _language_field()
    organization = _organization_field()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    tags = _tags_field()

    def validate_phone(self, value: str) -> str:
        digits = normalize_identity("phone", value).lstrip("+")
        if not (5 <= len(digits) <= 20):
            raise serializers.ValidationError(_("Enter a valid phone number."))
        return value


class CustomerUpdateSerializer(StrictInputSerializer):
    name = serializers.CharField(required=False, max_length=200)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    language = _language_field()
    organization = _organization_field()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    tags = _tags_field()
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
