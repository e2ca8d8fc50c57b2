"""API representations of the directory."""
from rest_framework import serializers

from .models import Provider


class ProviderSerializer(serializers.ModelSerializer):
    platforms = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    categories = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    services = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    url = serializers.HyperlinkedIdentityField(view_name="api:provider-detail", lookup_field="slug")

    class Meta:
        model = Provider
        fields = [
            "slug", "name", "name_en", "city", "founded_year", "size_band", "status", "tier", "score", "at_risk",
            "review_count", "review_average", "platforms", "categories", "services", "fee_min", "fee_max",
            "international_brands", "warehouse_area_m2", "website", "verified", "url",
        ]
