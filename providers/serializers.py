"""API representations of the directory: providers (list, detail, compare) and reference data."""
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Provider


def latest_snapshot(provider: Provider):
    """The snapshot the provider row was copied from (prefetched as `latest_snapshots`), or None if never rated."""
    snapshots = getattr(provider, "latest_snapshots", None)
    return snapshots[0] if snapshots else None


class FromLatestSnapshot:
    """A field that reads its source from the provider's latest snapshot; None when there is none."""

    def get_attribute(self, instance):
        snapshot = latest_snapshot(instance)
        return None if snapshot is None else super().get_attribute(snapshot)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-06", "nullable": True})
class PeriodField(serializers.Field):
    """A month as `YYYY-MM`."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class ScoreSerializer(FromLatestSnapshot, serializers.Serializer):
    """The latest period's scores: composite S, review score R and performance score P (decimal strings)."""

    composite = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True,
                                         help_text="S; null when the provider is unrated for the period.")
    reviews = serializers.DecimalField(source="review_score", max_digits=6, decimal_places=4)
    performance = serializers.DecimalField(source="performance_score", max_digits=6, decimal_places=4,
                                           allow_null=True)


class SnapshotCountField(FromLatestSnapshot, serializers.IntegerField):
    pass


# The three fields below are the hot path of every listing (50 providers a page): plain fields rather than a
# nested serializer, ManyRelatedField and HyperlinkedIdentityField, which cost a reverse() and a field tree per row.

@extend_schema_field(ScoreSerializer(allow_null=True))
class ScoreField(serializers.Field):
    """The latest snapshot's scores as {composite, reviews, performance} (decimal strings), or null."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, provider):
        snapshot = latest_snapshot(provider)
        if snapshot is None:
            return None
        return {
            "composite": _decimal(snapshot.composite), "reviews": _decimal(snapshot.review_score),
            "performance": _decimal(snapshot.performance_score),
        }


def _decimal(value):
    return None if value is None else str(value)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CodesField(serializers.Field):
    """The codes of a prefetched many-to-many relation, in its prefetch order."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, related):
        return [item.code for item in related.all()]


@extend_schema_field(OpenApiTypes.URI)
class ProviderUrlField(serializers.Field):
    """The provider's API URL; the list URL is reversed once per response, not once per row."""

    def __init__(self, **kwargs):
        super().__init__(source="slug", read_only=True, **kwargs)

    def to_representation(self, slug):
        base = self.context.get("_provider_base_url")
        if base is None:
            base = reverse("api:provider-list")
            request = self.context.get("request")
            base = request.build_absolute_uri(base) if request is not None else base
            self.context["_provider_base_url"] = base
        return f"{base}{slug}/"


@extend_schema_field(OpenApiTypes.OBJECT)
class ExplanationField(FromLatestSnapshot, serializers.JSONField):
    """Each gate's figures against its thresholds and what is missing for the next tier (policy's own terms)."""


class ProviderSerializer(serializers.ModelSerializer):
    """A provider in listings: identity, tier and scores of the latest period, coverage and fees."""

    tier = serializers.IntegerField(read_only=True, allow_null=True, min_value=3, max_value=6,
                                    help_text="Effective tier 3–6, or null when unrated.")
    period = PeriodField(source="rated_period", allow_null=True, help_text="The month the tier and scores are for.")
    score = ScoreField(allow_null=True)
    active_stores = SnapshotCountField(read_only=True, allow_null=True)
    excellent_stores = SnapshotCountField(read_only=True, allow_null=True)
    platforms = CodesField()
    categories = CodesField()
    services = CodesField()
    url = ProviderUrlField()

    class Meta:
        model = Provider
        fields = [
            "slug", "name", "name_en", "city", "founded_year", "status", "tier", "at_risk", "period", "score",
            "review_count", "review_average", "active_stores", "excellent_stores", "platforms", "categories",
            "services", "fee_min", "fee_max", "accepting_new_clients", "verified", "url",
        ]
        read_only_fields = fields


class OptionalUrlField(serializers.URLField):
    """A URL or null: the model stores "no website" as an empty string, which is not a valid `uri`."""

    def to_representation(self, value):
        return value or None


class CredentialSerializer(serializers.Serializer):
    """A grade the platform itself gave the provider (not this directory's tier), verified by a grader."""

    platform = serializers.CharField(source="platform.code", read_only=True)
    kind = serializers.CharField(read_only=True, help_text="tmall_star, taopaidang, douyin_operation, jd_partner, other.")
    level = serializers.CharField(read_only=True, help_text="The platform's own words for the grade, e.g. 五星.")
    period_start = serializers.DateField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    expired = serializers.SerializerMethodField(help_text="True once period_end has passed (computed when read).")

    def get_expired(self, credential) -> bool:
        return credential.period_end < timezone.localdate()


class ProviderDetailSerializer(ProviderSerializer):
    """A provider's full record with the latest period's explanation."""

    explanation = ExplanationField(read_only=True, allow_null=True)
    # Prefetched by the partner API's detail queryset (partners.selectors.provider_api_queryset).
    cities_served = serializers.ListField(child=serializers.CharField(), read_only=True,
                                          help_text="Cities the team serves clients in (Chinese names).")
    credentials = CredentialSerializer(source="verified_credentials", many=True, read_only=True,
                                       help_text="Verified platform credentials, newest period first.")
    website = OptionalUrlField(read_only=True, allow_null=True)

    class Meta(ProviderSerializer.Meta):
        fields = [
            *ProviderSerializer.Meta.fields, "size_band", "description", "description_en", "website",
            "international_brands", "warehouse_area_m2", "cities_served", "explanation", "credentials",
        ]
        read_only_fields = fields


class ReferenceSerializer(serializers.Serializer):
    """A platform, category or service: stable code, Chinese and English names."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
