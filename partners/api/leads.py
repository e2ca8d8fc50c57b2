"""A provider's own leads: the requests for proposals sent to it (scope `leads`, provider-owned keys only)."""
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from inquiries.models import Bid
from inquiries.selectors import lead_data

from ..authentication import request_api_key
from ..models import Scope
from ..pagination import Key, KeysetPagination

NEWEST_FIRST = (Key("invited_at", descending=True), Key("pk", descending=True))


class LeadEngagementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start_date = serializers.DateField()


class LeadSerializer(serializers.Serializer):
    """The schema of inquiries.selectors.lead_data: a request's needs, never the merchant."""

    lead = serializers.IntegerField()
    request = serializers.IntegerField()
    provider = serializers.CharField()
    status = serializers.CharField()
    invited_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)
    platform = serializers.CharField()
    category = serializers.CharField()
    services = serializers.ListField(child=serializers.CharField())
    budget_min = serializers.IntegerField()
    budget_max = serializers.IntegerField()
    start_month = serializers.CharField()
    term_months = serializers.IntegerField()
    description = serializers.CharField()
    engagement = LeadEngagementSerializer(allow_null=True)


@extend_schema_view(
    list=extend_schema(summary="This provider's leads (requests for proposals), newest first",
                       responses=LeadSerializer(many=True)),
    retrieve=extend_schema(summary="One lead", responses=LeadSerializer),
)
class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests sent to the key's own provider; another provider's leads are 404. Never the merchant's identity."""

    pagination_class = KeysetPagination
    required_scope = Scope.LEADS
    throttle_scope = Scope.READ
    queryset = Bid.objects.none()

    def get_queryset(self):
        api_key = request_api_key(self.request)
        if api_key is None or api_key.provider_id is None:
            return Bid.objects.none()
        return (Bid.objects.filter(provider_id=api_key.provider_id)
                .select_related("provider", "engagement", "request__platform", "request__category")
                .prefetch_related("request__services"))

    def keyset_keys(self, request):
        return NEWEST_FIRST

    def keyset_signature(self, request):
        return self.action

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([lead_data(bid) for bid in page])

    def retrieve(self, request, *args, **kwargs):
        return Response(lead_data(self.get_object()))
