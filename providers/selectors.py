"""Reads of the directory: querysets shaped for each page and endpoint, with their joins prefetched."""
from django.db.models import Prefetch, QuerySet

from .models import Category, Platform, Provider, Service

LISTED_STATUSES = (Provider.Status.ACTIVE, Provider.Status.PROBATION)


def provider_list(*, include_delisted: bool = False) -> QuerySet[Provider]:
    """Providers for listings, reference data prefetched; delisted and suspended ones left out by default."""
    qs = Provider.objects.prefetch_related(
        Prefetch("platforms", queryset=Platform.objects.order_by("position")),
        Prefetch("categories", queryset=Category.objects.order_by("position")),
        Prefetch("services", queryset=Service.objects.order_by("position")),
    )
    if not include_delisted:
        qs = qs.filter(status__in=LISTED_STATUSES)
    return qs


def provider_get(*, slug: str) -> Provider:
    """One provider by slug, whatever its status (delisted providers keep their page)."""
    return provider_list(include_delisted=True).get(slug=slug)
