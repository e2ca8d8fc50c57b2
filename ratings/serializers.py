"""API representations of ratings: history, public reviews, the active policy, and performance ingest."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from providers.serializers import PeriodField

from .masking import mask_personal_data
from .models import RatingPolicy, Review, ScoreSnapshot, TierGate



class SnapshotHistorySerializer(serializers.ModelSerializer):
    """One month of a provider's rating."""

    period = PeriodField()
    reviews = serializers.DecimalField(source="review_score", max_digits=6, decimal_places=4, read_only=True)
    performance = serializers.DecimalField(source="performance_score", max_digits=6, decimal_places=4,
                                           read_only=True, allow_null=True)
    candidate_tier = serializers.IntegerField(read_only=True, allow_null=True)
    tier = serializers.IntegerField(read_only=True, allow_null=True)
    policy_version = serializers.IntegerField(read_only=True)

    class Meta:
        model = ScoreSnapshot
        fields = ["period", "composite", "reviews", "performance", "candidate_tier", "tier", "status", "at_risk",
                  "policy_version"]
        read_only_fields = fields


class MaskedTextField(serializers.CharField):
    """Text shown publicly: phone numbers, WeChat IDs, e-mails and street addresses masked."""

    def to_representation(self, value):
        return mask_personal_data(str(value))


class PublicReviewSerializer(serializers.ModelSerializer):
    """A published review as anyone may see it: no author, no store, personal data masked."""

    title = MaskedTextField(read_only=True)
    body = MaskedTextField(read_only=True)
    reply = MaskedTextField(read_only=True, help_text="The provider's reply, empty if none.")

    class Meta:
        model = Review
        fields = ["id", "rating", "effect", "communication", "professionalism", "responsiveness", "title", "body",
                  "created_at", "verified", "reply", "replied_at"]
        read_only_fields = fields


class TierGateSerializer(serializers.ModelSerializer):
    required_services = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = TierGate
        fields = ["tier", "min_score", "min_active_stores", "min_excellent_stores", "required_services"]
        read_only_fields = fields


class PolicySerializer(serializers.ModelSerializer):
    """The active rating policy: every weight and threshold, and its tier gates (highest first)."""

    gates = serializers.SerializerMethodField()

    class Meta:
        model = RatingPolicy
        fields = [
            "version", "name", "prior_mean", "prior_weight", "half_life_days", "product_weight", "logistics_weight",
            "service_weight", "performance_window_months", "excellent_store_threshold", "review_weight",
            "performance_weight", "probation_threshold", "delist_after_months", "demote_after_months", "gates",
        ]
        read_only_fields = fields

    @extend_schema_field(TierGateSerializer(many=True))
    def get_gates(self, policy):
        return TierGateSerializer(policy.gates.all(), many=True).data  # TierGate.Meta.ordering: highest first

