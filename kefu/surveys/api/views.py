"""Read-only survey endpoint for staff: the surveys of tickets the user may see (`visible_tickets`)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from kefu.api.filters import IdFilter
from kefu.api.viewsets import KefuViewSet
from kefu.surveys.models import Survey
from kefu.tickets.access import visible_tickets
from kefu.tickets.models import Ticket

from .serializers import SurveySerializer


class SurveyFilter(django_filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id", help_text=_("Ticket id."))
    answered = django_filters.BooleanFilter(
        field_name="answered_at",
        lookup_expr="isnull",
        exclude=True,
        help_text=_("true: only answered surveys; false: only those still without an answer."),
    )

    class Meta:
        model = Survey
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary=_("Satisfaction surveys of tickets the user may see")),
    retrieve=extend_schema(summary=_("One satisfaction survey")),
)
class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        surveys = Survey.objects.all()
        tickets = visible_tickets(self.request.user, Ticket.objects.all())
        if not tickets.query.has_filters():
            return surveys  # the user sees every ticket: no sub-query over the whole ticket table
        return surveys.filter(ticket_id__in=tickets.values("pk"))
