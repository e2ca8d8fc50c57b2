"""The versioned partner API (/api/v1/)."""
from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from ingest.api import PerformanceIngestView, ViolationIngestView
from partners.api.claims import StoreClaimVerifyView
from partners.api.directory import CategoryListView, PlatformListView, ProviderCompareView, ProviderViewSet, ServiceListView
from partners.api.leads import LeadViewSet
from partners.api.policy import PolicyView, TierListView
from partners.api.webhooks import WebhookSubscriptionViewSet, api_not_found

app_name = "api"

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="provider")
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("leads", LeadViewSet, basename="lead")

urlpatterns = [
    *router.urls,
    path("compare/", ProviderCompareView.as_view(), name="compare"),
    path("tiers/", TierListView.as_view(), name="tiers"),
    path("policy/", PolicyView.as_view(), name="policy"),
    path("platforms/", PlatformListView.as_view(), name="platform-list"),
    path("categories/", CategoryListView.as_view(), name="category-list"),
    path("services/", ServiceListView.as_view(), name="service-list"),
    path("performance/", PerformanceIngestView.as_view(), name="performance"),
    path("violations/", ViolationIngestView.as_view(), name="violations"),
    path("store-claims/<int:pk>/verify/", StoreClaimVerifyView.as_view(), name="store-claim-verify"),
    # Last: any other path ending in "/" is a JSON 404 (paths without it still get APPEND_SLASH's redirect).
    re_path(r"^(?P<path>(?s:.*)/)$", api_not_found, name="not-found"),
]
