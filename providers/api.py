"""Read-only partner API over the directory."""
from rest_framework import viewsets

from .filters import ProviderFilter
from .selectors import provider_list
from .serializers import ProviderSerializer


class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    lookup_field = "slug"

    def get_queryset(self):
        # Listings hide delisted providers; a delisted provider's own record stays reachable.
        return provider_list(include_delisted=self.action == "retrieve").order_by("-score", "name")
