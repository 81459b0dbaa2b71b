"""Read-only quality reviews for staff: everyone's for inspectors, leads, trainers and analysts; their own
for agents (`quality.services.visible_reviews`, as the /quality/ pages decide it)."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from kefu.api.filters import IdFilter, MomentFilter
from kefu.api.viewsets import KefuViewSet
from kefu.quality.models import Rating, Review
from kefu.quality.services import VIEW_OWN_PERMISSION, visible_reviews

from .serializers import ReviewSerializer


class ReviewFilter(django_filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id", help_text=_("Ticket id."))
    agent = IdFilter(field_name="agent_id", help_text=_("Id of the staff member reviewed."))
    critical_failed = django_filters.BooleanFilter(
        help_text=_("true: only reviews with a failed critical item.")
    )
    since = MomentFilter(
        field_name="created_at", lookup_expr="gte", help_text=_("Reviews written at or after this moment.")
    )

    class Meta:
        model = Review
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary=_("Quality reviews the user may read")),
    retrieve=extend_schema(summary=_("One quality review")),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    lookup_value_regex = "[0-9]+"
    action_permissions = {"list": (VIEW_OWN_PERMISSION,), "retrieve": (VIEW_OWN_PERMISSION,)}

    def get_queryset(self):
        ratings = Rating.objects.select_related("criterion")
        return (
            visible_reviews(self.request.user)
            .order_by("-created_at", "-id")
            .prefetch_related(Prefetch("ratings", queryset=ratings))
        )
