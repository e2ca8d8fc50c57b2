"""Forms merchants and providers fill in: a review (new or edited), a provider's reply and its appeal."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from providers.presenters import localized

from .models import DIMENSION_FIELDS

MAX_TEXT = 2000
RATING_CHOICES = [
    (5, _("5 分 · 非常满意")),
    (4, _("4 分 · 满意")),
    (3, _("3 分 · 一般")),
    (2, _("2 分 · 不满意")),
    (1, _("1 分 · 非常不满意")),
]
DIMENSION_LABELS = {
    "effect": _("运营效果"),
    "communication": _("沟通"),
    "professionalism": _("专业度"),
    "responsiveness": _("响应速度"),
}


class ReviewForm(forms.Form):
    """The merchant's rating, optional dimension ratings, a title and the text."""

    rating = forms.TypedChoiceField(
        label=_("总体评分"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("请选择总体评分。")},
    )
    effect = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    communication = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    professionalism = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    responsiveness = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    title = forms.CharField(label=_("标题"), max_length=120, required=False)
    body = forms.CharField(
        label=_("评价内容"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请描述合作的真实体验。手机号、微信号、邮箱和地址在公开展示时会被隐藏。"),
        error_messages={"required": _("请填写评价内容。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DIMENSION_FIELDS:
            field = self.fields[name]
            field.label = DIMENSION_LABELS[name]
            field.choices = [("", _("不评分")), *((n, str(n)) for n in range(5, 0, -1))]

    def review_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("rating", *DIMENSION_FIELDS, "title", "body")}


class ReviewSubmitForm(ReviewForm):
    """A new review: the merchant also picks which of their engagements with the provider it is about."""

    # Reviewed engagements and other stores' are not offered; posting one by hand gets this, not the generic text.
    engagement = forms.ModelChoiceField(
        label=_("合作店铺"), queryset=None, empty_label=None,
        error_messages={
            "required": _("请选择合作的店铺。"),
            "invalid_choice": _("这次合作已经评价过了，或不是您店铺的合作，请选择列表中的合作。"),
        },
    )

    field_order = ["engagement", "rating"]

    def __init__(self, *args, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["engagement"]
        field.queryset = engagements
        rows = list(engagements.values_list("pk", "store_id"))
        store_ids = [store_id for _pk, store_id in rows]
        # One engagement: nothing to choose, it is selected. Several: start blank, so a review is never filed
        # against whichever store happens to be listed first.
        if len(rows) == 1:
            self.initial.setdefault("engagement", rows[0][0])
        elif rows:
            field.empty_label = _("请选择店铺")
        # Short labels fit a phone's select; the start date only tells apart two engagements of the same store.
        repeated = {store_id for store_id in store_ids if store_ids.count(store_id) > 1}
        field.label_from_instance = lambda e: (
            _("%(store)s（%(platform)s，%(start)s 起）") if e.store_id in repeated else _("%(store)s（%(platform)s）")
        ) % {"store": e.store.name, "platform": localized(e.store.platform), "start": e.start_date.isoformat()}
        self.order_fields(self.field_order)


class ReplyForm(forms.Form):
    """A provider's public answer to a review."""

    reply = forms.CharField(
        label=_("回复内容"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("回复会公开显示在评价下方。请勿填写个人信息：其中的手机号、微信号、邮箱和地址在公开展示时会被隐藏。"),
        error_messages={"required": _("请填写回复内容。")},
    )


APPEAL_REASON_MAX = 100
# The stored explanation is "【reason】explanation" in a 2000-character field.
APPEAL_EXPLANATION_MAX = MAX_TEXT - APPEAL_REASON_MAX - 2


class AppealForm(forms.Form):
    """A provider's appeal of a review: a short reason (the appeal model has no fixed list) and the explanation."""

    reason = forms.CharField(
        label=_("申诉理由"), max_length=APPEAL_REASON_MAX,
        help_text=_("一句话说明，例如：从未与该店铺合作、评价内容与事实不符、竞争对手恶意差评。"),
        error_messages={"required": _("请填写申诉理由。")},
    )
    explanation = forms.CharField(
        label=_("申诉说明"), max_length=APPEAL_EXPLANATION_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明事实和可以核实的依据，例如合作记录、沟通记录。"),
        error_messages={"required": _("请填写申诉说明。")},
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
