"""The versioned partner API (/api/v1/)."""
from rest_framework.routers import DefaultRouter

from providers.api import ProviderViewSet

app_name = "api"

router = DefaultRouter()
router.register("providers", ProviderViewSet, basename="provider")

urlpatterns = router.urls
