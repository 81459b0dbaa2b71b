from rest_framework import serializers

from kefu.quality.models import Rating, Review


class RatingSerializer(serializers.ModelSerializer):
    criterion_name = serializers.CharField(source="criterion.label", read_only=True)
    max_points = serializers.IntegerField(source="criterion.max_points", read_only=True)
    critical = serializers.BooleanField(source="criterion.is_critical", read_only=True)

    class Meta:
        model = Rating
        fields = ["criterion", "criterion_name", "points", "max_points", "critical", "note"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    """A quality review with the points of every criterion, in the reader's language."""

    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "ticket",
            "agent",
            "reviewer",
            "scorecard",
            "score_percent",
            "critical_failed",
            "comment",
            "created_at",
            "updated_at",
            "ratings",
        ]
        read_only_fields = fields
