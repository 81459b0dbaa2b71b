from rest_framework import serializers

from kefu.surveys.models import Survey


class SurveySerializer(serializers.ModelSerializer):
    """A survey as staff see it: scores and comment, never the customer's link token."""

    answered = serializers.BooleanField(source="is_answered", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "ticket",
            "solved_at",
            "team",
            "agent",
            "created_at",
            "expires_at",
            "answered",
            "answered_at",
            "csat",
            "nps",
            "comment",
            "source",
            "conversation",
        ]
        read_only_fields = fields
