"""Merchant-facing pages: the directory and a provider's page."""
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .filters import ProviderFilter
from .models import Provider
from .selectors import provider_get, provider_list

PAGE_SIZE = 20


def provider_list_view(request):
    provider_filter = ProviderFilter(request.GET, queryset=provider_list().order_by("-score", "name"))
    page = Paginator(provider_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "providers/provider_list.html",
        {"filter": provider_filter, "page": page, "query": query.urlencode()},
    )


def provider_detail_view(request, slug):
    try:
        provider = provider_get(slug=slug)
    except Provider.DoesNotExist:
        raise Http404("No such provider")
    engagements = provider.engagements.select_related("store__platform", "store__category").order_by("-start_date")
    return render(
        request,
        "providers/provider_detail.html",
        {"provider": provider, "engagement_count": engagements.count()},
    )
