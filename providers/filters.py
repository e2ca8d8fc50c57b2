"""Directory filters shared by the merchant pages and the API."""
import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .cities import city_stored_name
from .models import Category, Platform, Provider, Service

SEARCH_COLUMNS = ("name", "name_en", "description", "description_en")


def _text_lookup(value: str) -> str:
    return "contains" if value.upper() == value.lower() else "icontains"


def search_q(value: str) -> Q:
    """Substring match over Chinese and English names and descriptions, trigram-indexed on PostgreSQL.

    Text without upper/lower case (Chinese, digits) is matched with plain LIKE: the same result as a
    case-insensitive match, without UPPER() on every row, and served by the raw-column trigram indexes.
    """
    lookup = _text_lookup(value)
    q = Q()
    for column in SEARCH_COLUMNS:
        q |= Q(**{f"{column}__{lookup}": value})
    return q


class CityFilter(django_filters.CharFilter):
    """Exact match on the stored (Chinese) city; a known English name in any case ("hangzhou") stands for it."""

    def filter(self, qs, value):
        return super().filter(qs, city_stored_name(value))


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
    city = CityFilter(field_name="city", label=_("城市"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("最低综合分"))
    q = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Provider
        fields = ["tier", "min_tier", "platform", "category", "service", "city", "min_score", "q"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(search_q(value))


def _name_order():
    """Names in the reader's language: English names when the page is English (Chinese where none is known)."""
    if get_language() == "en":
        return [Coalesce(NullIf("name_en", Value("")), "name").asc(), "pk"]
    return ["name", "pk"]


# sort value → (label, ordering). Unrated providers sort last on every backend; pk keeps pages stable.
# The first is the default, shown selected when the visitor picked none: tier first, because the stars are what
# a merchant trusts, and a high composite score alone (one store, say) does not earn one.
SORTS = {
    "tier": (_("星级从高到低"), lambda: [F("tier").desc(nulls_last=True), F("score").desc(nulls_last=True), "name", "pk"]),
    "score": (_("综合分从高到低"), lambda: [F("score").desc(nulls_last=True), "name", "pk"]),
    "reviews": (_("评价数从多到少"), lambda: ["-review_count", F("score").desc(nulls_last=True), "name", "pk"]),
    "fee": (_("月服务费从低到高"), lambda: [F("fee_min").asc(nulls_last=True), "name", "pk"]),
    "fee_desc": (_("月服务费从高到低"), lambda: [F("fee_max").desc(nulls_last=True), "name", "pk"]),
    "name": (_("名称"), _name_order),
}
DEFAULT_SORT = next(iter(SORTS))


class DirectoryFilterForm(forms.Form):
    """The directory's filter form: a budget whose low end is above its high end is an error, not an empty list."""

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("fee_from"), cleaned.get("fee_to")
        if low is not None and high is not None and low > high:
            self.add_error("fee_to", _("预算下限不能高于预算上限。"))
        return cleaned


class DirectoryFilter(ProviderFilter):
    """The merchant directory's filters: the shared ones plus a monthly budget and a sort order.

    The budget keeps providers whose quoted fee range overlaps it: one quoting ¥18,000–¥30,000 a month is
    within reach of a ¥20,000 budget.
    """

    fee_from = django_filters.NumberFilter(method="filter_fee_from", label=_("预算下限（元/月）"), min_value=0)
    fee_to = django_filters.NumberFilter(method="filter_fee_to", label=_("预算上限（元/月）"), min_value=0)
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label=_("排序"), choices=[(key, label) for key, (label, _o) in SORTS.items()],
        empty_label=None,
    )

    class Meta(ProviderFilter.Meta):
        fields = [*ProviderFilter.Meta.fields, "fee_from", "fee_to", "sort"]
        form = DirectoryFilterForm

    def filter_fee_from(self, queryset, name, value):
        # A provider whose range reaches the budget's low end; one that publishes no fee cannot be judged.
        return queryset.filter(Q(fee_max__gte=value) | Q(fee_max__isnull=True, fee_min__gte=value))

    def filter_fee_to(self, queryset, name, value):
        return queryset.filter(Q(fee_min__lte=value) | Q(fee_min__isnull=True, fee_max__lte=value))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        match = search_q(value)
        name_lookup = _text_lookup(value)
        rank = Case(
            When(Q(**{f"name__{name_lookup}": value}) | Q(**{f"name_en__{name_lookup}": value}), then=Value(0)),
            default=Value(1), output_field=IntegerField(),
        )
        queryset = queryset.filter(match).annotate(search_rank=rank)
        if not self.form.cleaned_data.get("sort"):
            # Without an explicit sort, name matches come before description matches.
            queryset = queryset.order_by("search_rank", *SORTS[DEFAULT_SORT][1]())
        return queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1]())
