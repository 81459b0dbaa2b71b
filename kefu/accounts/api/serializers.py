"""Staff users and teams as the API shows them (read only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kefu.accounts.models import Team, User
from kefu.accounts.roles import roles_of


class TeamRefSerializer(serializers.Serializer):
    """A team where another object names it."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class UserRefSerializer(serializers.Serializer):
    """A staff user where another object names them (assignee, author)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField(source="name")


class UserSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="name")
    roles = serializers.SerializerMethodField()
    teams = TeamRefSerializer(many=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "level", "presence", "roles", "teams"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user: User) -> list[str]:
        return roles_of(user)


class TeamSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__")
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "name_en", "label", "description", "lead", "is_default", "members"]
        read_only_fields = fields
