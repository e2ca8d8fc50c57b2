"""Directory filters shared by the merchant pages and the API."""
import django_filters
from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .cities import city_stored_name
from .models import Category, Platform, Provider, Service
from .search.selectors import providers_matching
from .search.text import MAX_QUERY_LENGTH, MAX_WORDS, query_problem, query_words
from .selectors import DIRECTORY_ORDERING, no_sanction_this_year_q


class SearchField(forms.CharField):
    """Free text: at most MAX_WORDS words and MAX_QUERY_LENGTH characters, with a message naming which."""

    def validate(self, value):
        super().validate(value)
        problem = query_problem(value or "")
        if problem == "length":
            raise forms.ValidationError(_("搜索内容最长 %(max)d 个字符。"), code="length", params={"max": MAX_QUERY_LENGTH})
        if problem == "words":
            raise forms.ValidationError(_("搜索词最多 %(max)d 个。"), code="words", params={"max": MAX_WORDS})


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class CodesField(django_filters.fields.ModelMultipleChoiceField):
    """Codes of reference rows; empty values (an "all" option, ?platform=) are no choice rather than an error.

    `rows`, when the page knows the reference rows already (cached per directory generation), are checked in
    Python instead of by a query per filtered group; the errors are the same.
    """

    rows = None

    def clean(self, value):
        return super().clean([code for code in value or [] if code != ""])

    def _check_values(self, value):
        if self.rows is None:
            return super()._check_values(value)
        try:
            codes = frozenset(value)
        except TypeError:  # a list of lists, say
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list") from None
        known = {row.code for row in self.rows}
        for code in codes:
            self.validate_no_null_characters(code)
            if str(code) not in known:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code})
        return [row for row in self.rows if row.code in codes]  # the queryset's order: position, code


class RelatedAnyFilter(django_filters.ModelMultipleChoiceFilter):
    """Providers linked to any of the chosen rows (OR within the group), by code: ?platform=tmall&platform=jd.

    A subquery of the through table rather than a join: a provider on two chosen platforms is listed once,
    without DISTINCT over the whole listing.
    """

    field_class = CodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        field = Provider._meta.get_field(self.field_name)
        through = field.remote_field.through
        target = f"{field.m2m_reverse_field_name()}__in"
        return qs.filter(pk__in=through.objects.filter(**{target: value}).values("provider_id"))


class CheckedFilter(django_filters.Filter):
    """A box that narrows when ticked and means "any" when not (never "only the ones without")."""

    field_class = forms.BooleanField


class CityFilter(django_filters.CharFilter):
    """Exact match on the stored (Chinese) city; a known English name in any case ("hangzhou") stands for it."""

    def filter(self, qs, value):
        return super().filter(qs, city_stored_name(value))


class ProviderFilter(django_filters.FilterSet):
    """Filter providers by tier, platform, category, service, city, score, conduct this year and free text."""

    tier = django_filters.NumberFilter(field_name="tier", label=_("星级"))
    min_tier = django_filters.NumberFilter(field_name="tier", lookup_expr="gte", label=_("最低星级"))
    platform = RelatedAnyFilter(field_name="platforms", queryset=Platform.objects.all(), label=_("平台"))
    category = RelatedAnyFilter(field_name="categories", queryset=Category.objects.all(), label=_("类目"))
    service = RelatedAnyFilter(field_name="services", queryset=Service.objects.all(), label=_("服务"))
    city = CityFilter(field_name="city", label=_("城市"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("最低综合分"))
    no_sanction = CheckedFilter(method="filter_no_sanction", label=_("今年无处罚"))
    q = SearchFilter(method="filter_search", label=_("搜索"))

    class Meta:
        model = Provider
        fields = ["tier", "min_tier", "platform", "category", "service", "city", "min_score", "no_sanction", "q"]

    def filter_no_sanction(self, queryset, name, value):
        return queryset.filter(no_sanction_this_year_q()) if value else queryset

    def filter_search(self, queryset, name, value):
        """Every word of the query, in any searchable field (providers.search), in any order."""
        if not value.strip():
            return queryset
        return providers_matching(queryset, words=query_words(value))


def _name_order():
    """Dictionary order in the reader's language: Chinese names by pinyin; on English pages the English name
    (or the pinyin of the Chinese one where none is known). Both keys live in ProviderSearch."""
    key = "search__name_en_sort" if get_language() == "en" else "search__name_sort"
    return [F(key).asc(nulls_last=True), "name", "pk"]


def _default_order():
    return list(DIRECTORY_ORDERING)


# sort value → (label, ordering). Unrated providers sort last on every backend; pk keeps pages stable.
# The first is the default, shown selected when the visitor picked none: tier first, because the stars are what
# a merchant trusts, and a high composite score alone (one store, say) does not earn one.
SORTS = {
    "tier": (_("星级从高到低"), _default_order),
    "score": (_("综合分从高到低"), lambda: [F("score").desc(nulls_last=True), "name", "pk"]),
    "reviews": (_("评价数从多到少"), lambda: ["-review_count", F("score").desc(nulls_last=True), "name", "pk"]),
    "fee": (_("月服务费从低到高"), lambda: [F("fee_min").asc(nulls_last=True), "name", "pk"]),
    "fee_desc": (_("月服务费从高到低"), lambda: [F("fee_max").desc(nulls_last=True), "name", "pk"]),
    "name": (_("名称"), _name_order),
    # Offered only with a query (the default then): providers whose names hold more of the words first.
    "relevance": (_("相关度"), lambda: [F("search_rank").desc(), *_default_order()]),
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
    accepting = CheckedFilter(method="filter_accepting", label=_("只看接受新客户的服务商"))
    credentialed = CheckedFilter(method="filter_credentialed", label=_("只看有平台资质的服务商（已核验、在有效期内）"))
    sort = django_filters.ChoiceFilter(
        method="filter_sort", label=_("排序"), choices=[(key, label) for key, (label, _o) in SORTS.items()],
        empty_label=None,
    )

    class Meta(ProviderFilter.Meta):
        fields = [*ProviderFilter.Meta.fields, "fee_from", "fee_to", "accepting", "credentialed", "sort"]
        form = DirectoryFilterForm

    def filter_accepting(self, queryset, name, value):
        return queryset.filter(accepting_new_clients=True) if value else queryset

    def filter_credentialed(self, queryset, name, value):
        # A grade a platform gave (profiles.PlatformCredential, by its reverse name: this module imports no app
        # above providers), verified by a grader and whose period has not ended today.
        if not value:
            return queryset
        current = Provider.objects.filter(credentials__status="verified",
                                          credentials__period_end__gte=timezone.localdate())
        return queryset.filter(pk__in=current.values("pk"))

    def filter_fee_from(self, queryset, name, value):
        # A provider whose range reaches the budget's low end; one that publishes no fee cannot be judged.
        return queryset.filter(Q(fee_max__gte=value) | Q(fee_max__isnull=True, fee_min__gte=value))

    def filter_fee_to(self, queryset, name, value):
        return queryset.filter(Q(fee_min__lte=value) | Q(fee_min__isnull=True, fee_max__lte=value))

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        queryset = providers_matching(queryset, words=query_words(value), rank=True)
        if self.form.cleaned_data.get("sort") in (None, "", "relevance"):
            queryset = queryset.order_by(*SORTS["relevance"][1]())
        return queryset

    def filter_sort(self, queryset, name, value):
        if value == "relevance":  # ordered by filter_search when there is a query; without one it means nothing
            return queryset
        return queryset.order_by(*SORTS[value][1]())
