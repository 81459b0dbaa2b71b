"""Read-only endpoints for staff users (to pick an assignee) and teams (to route a ticket)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from kefu.accounts.models import Presence, Team, User
from kefu.api.filters import IdFilter
from kefu.api.viewsets import KefuViewSet

from .serializers import TeamSerializer, UserSerializer


class UserFilter(django_filters.FilterSet):
    team = IdFilter(field_name="teams__id", help_text=_("Team id."))
    presence = django_filters.ChoiceFilter(choices=Presence.choices)
    role = django_filters.CharFilter(field_name="groups__name", help_text=_("Role code, e.g. agent."))

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary=_("Active staff users")),
    retrieve=extend_schema(summary=_("One staff user")),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    """Active staff only: customers' portal logins and deactivated staff are not listed."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return (
            User.objects.filter(is_staff=True, is_active=True).prefetch_related("groups", "teams").distinct()
        )


@extend_schema_view(list=extend_schema(summary=_("Teams")), retrieve=extend_schema(summary=_("One team")))
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, KefuViewSet):
    serializer_class = TeamSerializer
    lookup_value_regex = "[0-9]+"
    action_permissions = {"list": ("accounts.view_team",), "retrieve": ("accounts.view_team",)}

    def get_queryset(self):
        return Team.objects.prefetch_related("members")
