"""The performance ingest API's request and response shapes (rows in the importer's own columns)."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_INGEST_ROWS = 5000


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}]})
class CellField(serializers.Field):
    """A CSV cell: text, or a JSON number (read as its text)."""


class PerformanceRowSerializer(serializers.Serializer):
    """One store's month, the columns of the `import_performance` CSV (documentation: the importer validates)."""

    platform = serializers.CharField(help_text="Platform code, e.g. `tmall`.")
    store_external_id = serializers.CharField(help_text="The store's id on the platform (known to the directory).")
    period = serializers.CharField(help_text="Month, `YYYY-MM`, from 2000-01 to next month.")
    product_score = CellField(help_text="0–5, 2 decimals.")
    logistics_score = CellField(help_text="0–5, 2 decimals.")
    service_score = CellField(help_text="0–5, 2 decimals.")
    gmv = CellField(help_text="CNY ≥ 0, 2 decimals.")
    orders = CellField(help_text="Integer ≥ 0.")
    complaint_rate = CellField(help_text="0–1, 4 decimals.")
    refund_rate = CellField(help_text="0–1, 4 decimals.")
    on_time_ship_rate = CellField(help_text="0–1, 4 decimals.")
    after_sales_response_hours = CellField(help_text="Hours ≥ 0, 2 decimals.")


class PerformanceIngestSerializer(serializers.Serializer):
    """Up to 5,000 rows; every row is checked before anything is written, and all are written or none."""

    rows = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=MAX_INGEST_ROWS,
                                 help_text="Rows in the importer's columns; errors name the row by its index.")
    dry_run = serializers.BooleanField(default=False, help_text="Validate and count only; write nothing.")


class PerformanceIngestDocSerializer(PerformanceIngestSerializer):
    rows = PerformanceRowSerializer(many=True, help_text="1–5,000 rows; errors name the row by its index (0-based).")

    class Meta:
        ref_name = "PerformanceIngestRequest"


class PerformanceIngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    recompute_requested = serializers.IntegerField(help_text="Providers queued for a (debounced) recompute.")


class ViolationRowSerializer(serializers.Serializer):
    """One conduct violation, the columns of the `import_violations` CSV (documentation: the importer validates)."""

    provider_slug = serializers.CharField(help_text="The provider's slug.")
    type = serializers.CharField(help_text="Violation type code (docs/conduct-policy.md), e.g. `store_access`.")
    occurred_on = serializers.CharField(help_text="`YYYY-MM-DD`, not in the future.")
    decided_on = serializers.CharField(help_text="`YYYY-MM-DD`, not before occurred_on nor in the future.")
    reference = serializers.CharField(help_text="Your reference, unique per provider: the upsert key.")
    status = serializers.CharField(help_text="`upheld` or `withdrawn`.")


class ViolationIngestDocSerializer(PerformanceIngestSerializer):
    rows = ViolationRowSerializer(many=True, help_text="1–5,000 rows; errors name the row by its index (0-based).")

    class Meta:
        ref_name = "ViolationIngestRequest"


class ViolationIngestResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
