"""Read-only partner API over the directory: providers, their history and reviews, compare, reference data."""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.models import Category, Platform, Provider, Service
from providers.selectors import COMPARE_MAX
from providers.serializers import ProviderDetailSerializer, ProviderSerializer, ReferenceSerializer
from ratings.serializers import PublicReviewSerializer, SnapshotHistorySerializer

from .. import selectors as api_selectors
from ..conditional import ETAG_PARAMETERS, ETagMixin
from ..filters import DEFAULT_PROVIDER_ORDERING, PROVIDER_ORDERINGS, ProviderApiFilter
from ..models import Scope
from ..pagination import Key, KeysetPagination
from ..serializers import ProviderRecordSerializer

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"
REVIEW_KEYS = (Key("created_at", descending=True), Key("pk", descending=True))


@extend_schema_view(
    list=extend_schema(summary="Providers, filtered and ordered (unrated last), cursor-paginated"),
    retrieve=extend_schema(summary="One provider (delisted ones too) with its latest scores and explanation",
                           parameters=ETAG_PARAMETERS, responses={200: ProviderRecordSerializer, 304: None}),
    history=extend_schema(summary="The provider's monthly snapshots, newest first", parameters=ETAG_PARAMETERS,
                          responses={200: SnapshotHistorySerializer(many=True), 304: None}),
    reviews=extend_schema(summary="Published reviews, newest first, personal data masked",
                          responses=PublicReviewSerializer(many=True)),
)
class ProviderViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    """Listings hide delisted and suspended providers unless `status` asks for them; detail shows every status."""

    filterset_class = ProviderApiFilter
    pagination_class = KeysetPagination
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    required_scope = throttle_scope = Scope.READ
    etag_actions = ("retrieve", "history")

    def get_queryset(self):
        return api_selectors.provider_api_queryset(detail=self.action != "list")

    def get_serializer_class(self):
        if self.action == "list":
            return ProviderSerializer
        return ProviderRecordSerializer if self.action == "retrieve" else ProviderDetailSerializer

    def filter_queryset(self, queryset):
        # The listing filters (and their default status) must not hide a delisted provider's own record.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def keyset_keys(self, request):
        if self.action == "reviews":
            return REVIEW_KEYS
        return PROVIDER_ORDERINGS[request.query_params.get("ordering") or DEFAULT_PROVIDER_ORDERING]

    def keyset_signature(self, request):
        return f"{self.action}:{request.query_params.get('ordering') or ''}"

    def _provider(self) -> Provider:
        return get_object_or_404(Provider.objects.only("pk"), slug=self.kwargs["slug"])

    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, slug=None):
        snapshots = api_selectors.provider_history(provider=self._provider())
        return Response(SnapshotHistorySerializer(snapshots, many=True).data)

    @action(detail=True, methods=["get"], filterset_class=None)
    def reviews(self, request, slug=None):
        page = self.paginate_queryset(api_selectors.provider_public_reviews(provider=self._provider()))
        return self.get_paginated_response(PublicReviewSerializer(page, many=True).data)


class CompareQuerySerializer(serializers.Serializer):
    providers = serializers.CharField(help_text=f"Comma-separated slugs, 1–{COMPARE_MAX}.")

    def validate_providers(self, value):
        slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
        if not 1 <= len(slugs) <= COMPARE_MAX:
            raise serializers.ValidationError(_("请选择 1–%(max)d 家服务商。") % {"max": COMPARE_MAX}, code="count")
        if len(set(slugs)) != len(slugs):
            raise serializers.ValidationError(_("服务商重复。"), code="duplicate")
        return slugs


class CompareResultSerializer(serializers.Serializer):
    results = ProviderDetailSerializer(many=True, help_text="In the order asked for.")


class ProviderCompareView(APIView):
    """Up to four providers side by side, every detail field, in the order asked for."""

    required_scope = throttle_scope = Scope.READ

    @extend_schema(
        summary="Compare up to 4 providers",
        parameters=[OpenApiParameter("providers", str, required=True, description=f"Comma-separated slugs, 1–{COMPARE_MAX}.")],
        responses=CompareResultSerializer,
    )
    def get(self, request):
        query = CompareQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slugs = query.validated_data["providers"]
        providers = api_selectors.provider_api_compare(slugs=slugs)
        missing = [slug for slug in slugs if slug not in {p.slug for p in providers}]
        if missing:
            raise serializers.ValidationError(
                {"providers": [serializers.ErrorDetail(
                    _("未找到服务商：%(slugs)s") % {"slugs": ", ".join(missing)}, code="unknown_provider")]}
            )
        context = {"request": request}
        return Response({"results": ProviderDetailSerializer(providers, many=True, context=context).data})


class ReferenceListView(generics.ListAPIView):
    """A reference table: codes with Chinese and English names, in display order."""

    serializer_class = ReferenceSerializer
    pagination_class = None
    filter_backends = []
    required_scope = throttle_scope = Scope.READ
    model = None

    def get_queryset(self):
        return self.model.objects.order_by("position", "code")


@extend_schema(summary="E-commerce platforms")
class PlatformListView(ReferenceListView):
    model = Platform


@extend_schema(summary="Industry categories")
class CategoryListView(ReferenceListView):
    model = Category


@extend_schema(summary="Services providers offer")
class ServiceListView(ReferenceListView):
    model = Service
