"""API-only filters over the directory's shared ProviderFilter: status, search and ordering."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from providers.filters import CityFilter, ProviderFilter, SearchFilter
from providers.models import Provider
from providers.selectors import LISTED_SANCTIONS, LISTED_STATUSES

from .pagination import Key

# Each ordering ends in unique keys (name, pk) so cursor pages never skip or repeat a provider.
_TAIL = (Key("name"), Key("pk"))
PROVIDER_ORDERINGS = {
    "score": (Key("score", nullable=True), *_TAIL),
    "-score": (Key("score", descending=True, nullable=True), *_TAIL),
    "tier": (Key("tier", nullable=True), *_TAIL),
    "-tier": (Key("tier", descending=True, nullable=True), *_TAIL),
    "review_count": (Key("review_count"), *_TAIL),
    "-review_count": (Key("review_count", descending=True), *_TAIL),
    "fee_min": (Key("fee_min", nullable=True), *_TAIL),
    "-fee_min": (Key("fee_min", descending=True, nullable=True), *_TAIL),
    "name": _TAIL,
    "-name": (Key("name", descending=True), Key("pk")),
}
DEFAULT_PROVIDER_ORDERING = "-score"


class TrueFalseField(forms.NullBooleanField):
    """`true` or `false` (1 or 0), nothing else: a client's `yes` is an error naming the parameter, not ignored."""

    widget = forms.TextInput  # the raw value (NullBooleanSelect would read `yes` as no value and `2` as true)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(_("请填写 true 或 false。"), code="invalid")


class TrueFalseFilter(django_filters.BooleanFilter):
    field_class = TrueFalseField


class ProviderApiFilter(ProviderFilter):
    """The directory filters plus `status` (default: listed providers only), `search` and `ordering`."""

    # The pages' `q` is `search` here, the name API clients expect.
    q = None
    # Documented for API clients only: on the directory form a help text would point at text the page does not show.
    city = CityFilter(
        field_name="city", label=_("城市"),
        help_text=_("总部城市：中文名，或其通用英文名（不区分大小写），如 杭州、Hangzhou"),
    )
    # The directory page's search: every word, in names, descriptions, city, platforms, categories and services.
    search = SearchFilter(method="filter_search", label=_("搜索（每个词都须出现在名称、简介、城市、平台、类目或服务中）"))
    status = django_filters.MultipleChoiceFilter(
        choices=Provider.Status.choices, method="filter_status",
        label=_("状态（可多选；默认 active 与 probation，即不含已清退和已暂停）"),
    )
    # The pages' box: `true` narrows; `false` is the same as leaving it out, never "only the sanctioned ones".
    no_sanction = TrueFalseFilter(
        method="filter_no_sanction", label=_("今年无处罚"),
        help_text=_("true：只返回本年无违规积分且当前无处罚的服务商；false 或不填：不限"),
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in PROVIDER_ORDERINGS], method="filter_ordering",
        label=_("排序（默认 -score；空值始终排在最后）"),
    )

    class Meta(ProviderFilter.Meta):
        fields = ["tier", "min_tier", "platform", "category", "service", "city", "min_score", "no_sanction", "status",
                  "search", "ordering"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=LISTED_STATUSES)
        # A hiding conduct sanction keeps a provider off every list, whatever statuses are asked for (detail stays).
        queryset = queryset.filter(sanction__in=LISTED_SANCTIONS)
        return super().filter_queryset(queryset)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=value) if value else queryset

    def filter_ordering(self, queryset, name, value):
        # Validated and documented here; applied by the keyset paginator, which must also reverse it.
        return queryset
