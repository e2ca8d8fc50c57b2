"""Form widgets of the directory pages."""
from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .presenters import localized


class DirectSelect(forms.Select):
    """A <select> rendered in Python rather than one template include per <option>.

    The directory's filter form has five selects and about fifty options; Django's template-based widget
    rendering made it the largest part of an uncached directory request (see benchmarks/directory.py).
    The markup is the same as Django's Select: escaped values and labels, `selected` on the chosen one.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Not get_context(): it would walk the choices (a query for model choices) a second time.
        selected = set(self.format_value(value))
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in selected else "", label)
                for option_value, label in self._flat_choices()
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)

    def _flat_choices(self):
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):  # optgroups are not used by the directory; flatten them anyway
                yield from label
            else:
                yield ("" if option_value is None else option_value), label


class ReviewFilterForm(forms.Form):
    """The review filters of a provider's page: overall rating, the reviewed store's platform, a keyword, the order.

    `platforms` are the (code, label) pairs of the platforms behind the provider's reviews; `sorts` the orders.
    """

    rating = forms.TypedChoiceField(
        label=_("评分"), required=False, coerce=int, empty_value=None,
        choices=[("", _("全部评分")), *[(value, f"{value}★") for value in range(5, 0, -1)]],
    )
    platform = forms.ChoiceField(label=_("平台"), required=False)
    q = forms.CharField(
        label=_("关键词"), required=False, max_length=50,
        error_messages={"max_length": _("关键词最多 %(limit_value)d 个字（现在 %(show_value)d 个）。")},
    )
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, data, *, platforms: list[tuple[str, str]], sorts: list[tuple[str, str]]):
        super().__init__(data, auto_id="review-%s")
        self.fields["platform"].choices = [("", _("全部平台")), *platforms]
        self.fields["sort"].choices = sorts
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"placeholder": _("标题或内容中的词")})
        for name in ("rating", "platform", "sort"):
            self.fields[name].widget = DirectSelect(choices=self.fields[name].choices)


class DirectCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes rendered in Python like DirectSelect (one template include per box made the form slow again).

    The markup is a list of labelled boxes; the page wraps it in a fieldset whose legend names the group.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.pop("id", f"id_{name}")
        boxes = format_html_join(
            "", '<label class="check"><input type="checkbox" name="{}" value="{}" id="{}_{}"{}> {}</label>',
            (
                (name, option_value, base_id, index, " checked" if str(option_value) in selected else "", label)
                for index, (option_value, label) in enumerate(
                    (v, label) for v, label in self.choices if v not in ("", None)
                )
            ),
        )
        return format_html('<div class="checks" id="{}"{}>{}</div>', base_id, flatatt(attrs), boxes)

    def id_for_label(self, id_, index=None):
        return id_


class LocalizedLabels:
    """Choices of reference rows (platforms, categories, services) named in the page's language at render time:
    their __str__ is the Chinese name, which English pages showed as is."""

    def label_from_instance(self, obj):
        return localized(obj)


class LocalizedModelChoiceField(LocalizedLabels, forms.ModelChoiceField):
    pass


class LocalizedModelMultipleChoiceField(LocalizedLabels, forms.ModelMultipleChoiceField):
    pass
