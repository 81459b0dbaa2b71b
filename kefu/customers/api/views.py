"""Customer endpoints: list, look up, add and change customers; personal data masked unless revealed.

`?reveal=true` on a single customer shows phones, e-mails and the ID number in full to a user with
`customers.view_customer_pii`, and records that look in the audit trail (`customers.services.reveal_pii`).
Without the permission it is a 403; on the list it is refused (one audited look at a time, no bulk export).
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from kefu.api.fields import query_flag
from kefu.api.filters import IdFilter
from kefu.api.viewsets import KefuViewSet
from kefu.core.crypto import lookup_hash
from kefu.customers import services
from kefu.customers.access import can_see_pii
from kefu.customers.models import Customer, Identity, Tier
from kefu.customers.rules import normalize_identity

from .serializers import CustomerCreateSerializer, CustomerSerializer, CustomerUpdateSerializer

_REVEAL = OpenApiParameter(
    "reveal",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=_("Show personal data in full (needs the permission; the look is audited)."),
)


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", help_text=_("Text in the name.")
    )
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    organization = IdFilter(field_name="organization_id", help_text=_("Organization id."))
    email = django_filters.CharFilter(method="filter_identity", help_text=_("Exact e-mail address."))
    phone = django_filters.CharFilter(method="filter_identity", help_text=_("Exact phone number."))

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_identity(self, queryset, name: str, value: str):
        # Identities are stored encrypted: match on the keyed hash of the normalised value.
        normalized = normalize_identity(name, value)
        matching = Identity.objects.filter(kind=name, lookup=lookup_hash(normalized)).values("customer_id")
        return queryset.filter(Q(pk__in=matching)) if normalized else queryset.none()


@extend_schema_view(
    list=extend_schema(summary=_("Customers"), responses=CustomerSerializer),
    retrieve=extend_schema(summary=_("One customer"), parameters=[_REVEAL], responses=CustomerSerializer),
)
class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    lookup_value_regex = "[0-9]+"
    action_permissions = {
        "list": ("customers.view_customer",),
        "retrieve": ("customers.view_customer",),
        "create": ("customers.add_customer",),
        "partial_update": ("customers.change_customer",),
    }

    def get_queryset(self):
        return Customer.objects.select_related("organization").prefetch_related("identities")

    def list(self, request, *args, **kwargs):
        if self._wants_reveal():
            raise ValidationError({"reveal": [_("Personal data is revealed for one customer at a time.")]})
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        revealed = self._wants_reveal()
        if revealed:
            services.reveal_pii(customer=customer, actor=request.user)
        return Response(self._show(customer, revealed=revealed))

    @extend_schema(
        summary=_("Add a customer"), request=CustomerCreateSerializer, responses={201: CustomerSerializer}
    )
    def create(self, request, *args, **kwargs):
        form = CustomerCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        customer = services.create_customer(actor=request.user, **form.validated_data)
        return Response(self._show(self.get_queryset().get(pk=customer.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a customer"), request=CustomerUpdateSerializer, responses=CustomerSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        customer = self.get_object()
        form = CustomerUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.update_customer(customer=customer, actor=request.user, **form.validated_data)
        return Response(self._show(self.get_queryset().get(pk=customer.pk)))

    def _wants_reveal(self) -> bool:
        wanted = query_flag(self.request, "reveal")
        if wanted and not can_see_pii(self.request.user):
            raise PermissionDenied(_("You may not see customers' personal data in full."))
        return wanted

    def _show(self, customer: Customer, *, revealed: bool = False) -> dict:
        return CustomerSerializer(
            customer, context={**self.get_serializer_context(), "revealed": revealed}
        ).data
