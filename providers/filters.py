"""Directory filters shared by the merchant pages and the API."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Category, Platform, Provider, Service


class ProviderFilter(django_filters.FilterSet):
    """Filter providers by tier, platform, category, service, city, score and free text."""

    tier = django_filters.NumberFilter(field_name="tier", label=_("星级"))
    min_tier = django_filters.NumberFilter(field_name="tier", lookup_expr="gte", label=_("最低星级"))
    platform = django_filters.ModelChoiceFilter(
        field_name="platforms", queryset=Platform.objects.all(), to_field_name="code", label=_("平台")
    )
    category = django_filters.ModelChoiceFilter(
        field_name="categories", queryset=Category.objects.all(), to_field_name="code", label=_("类目")
    )
    service = django_filters.ModelChoiceFilter(
        field_name="services", queryset=Service.objects.all(), to_field_name="code", label=_("服务")
    )
    city = django_filters.CharFilter(field_name="city", label=_("城市"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("最低综合分"))
    q = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Provider
        fields = ["tier", "min_tier", "platform", "category", "service", "city", "min_score", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(description__icontains=value)
            | Q(description_en__icontains=value)
        )
