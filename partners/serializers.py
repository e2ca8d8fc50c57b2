"""API representations of errors, webhook subscriptions and their delivery log."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from conduct.selectors import provider_conduct_summary
from inquiries.selectors import provider_response_stats
from providers.serializers import ProviderDetailSerializer

from .models import WebhookDelivery, WebhookEvent, WebhookSubscription

RESPONSE_STATS = inline_serializer("ResponseStats", allow_null=True, fields={
    "deadline_days": serializers.IntegerField(help_text="INQUIRY_RESPONSE_DAYS: the days a provider has to answer."),
    "requests": serializers.IntegerField(help_text="Requests counted over the last 90 days (5 at least)."),
    "answered_on_time_pct": serializers.IntegerField(help_text="Share answered within INQUIRY_RESPONSE_DAYS."),
    "median_response_hours": serializers.FloatField(allow_null=True, help_text="Median hours to the first answer."),
})

CONDUCT_VIOLATION = inline_serializer("ConductViolation", fields={
    "type": serializers.CharField(help_text="Violation type code (docs/conduct-policy.md)."),
    "decided_on": serializers.DateField(help_text="The day it was decided (upheld); points count from it."),
    "points": serializers.IntegerField(),
    "appeal": serializers.CharField(allow_null=True, help_text="pending | granted | refused, null without appeal."),
})
CONDUCT = inline_serializer("Conduct", fields={
    "points": serializers.IntegerField(help_text="This year's points (capped at 120; reset on 1 January)."),
    "sanction": serializers.ChoiceField(choices=["none", "warning", "hidden", "frozen", "delisted", "cleared"]),
    "violations": CONDUCT_VIOLATION.__class__(many=True, help_text="Upheld violations of the last 12 months."),
})


class ProviderRecordSerializer(ProviderDetailSerializer):
    """One provider's record (GET /providers/{slug}/): the detail plus its public response statistics."""

    response_stats = serializers.SerializerMethodField(
        help_text="How the provider answers requests for proposals (last 90 days); null below 5 requests.")

    conduct = serializers.SerializerMethodField(help_text="The conduct ledger: sanction in force, points, violations.")

    class Meta(ProviderDetailSerializer.Meta):
        fields = [*ProviderDetailSerializer.Meta.fields, "response_stats", "conduct"]
        read_only_fields = fields

    @extend_schema_field(RESPONSE_STATS)
    def get_response_stats(self, provider):
        return provider_response_stats(provider=provider)

    @extend_schema_field(CONDUCT)
    def get_conduct(self, provider):
        summary = provider_conduct_summary(provider=provider, on=timezone.localdate())
        return {
            "points": summary.points, "sanction": summary.sanction,
            "violations": [
                {"type": v.type, "decided_on": v.decided_on, "points": v.points,
                 "appeal": v.appeal_status}
                for v in summary.violations
            ],
        }


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Parameter or body field (dotted path), or null.")
    row = serializers.IntegerField(allow_null=True, help_text="Row index in the request's `rows` (ingest only).")
    message = serializers.CharField()
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`, `invalid_month`.")


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="Stable code: `invalid`, `invalid_rows`, `not_authenticated`, "
                                           "`invalid_api_key`, `insufficient_scope`, `not_found`, `throttled`, …")
    message = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=len(WebhookEvent),
    )
    secret = serializers.CharField(
        write_only=True, required=False, min_length=16, max_length=128,
        help_text="HMAC key for X-Signature. Generated when omitted on create; returned only by the create call.",
    )
    url = serializers.URLField(max_length=500, help_text=_("http(s) URL on a public address"))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "secret", "is_active", "failure_count", "disabled_at", "disabled_reason",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "failure_count", "disabled_at", "disabled_reason", "created_at", "updated_at"]


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Store it now: it is not shown again.")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "event_id", "status", "attempts", "response_status", "error", "payload",
                  "created_at", "last_attempt_at", "next_attempt_at", "delivered_at"]
        read_only_fields = fields
