"""The conduct forms: a merchant's complaint, the provider's answer and appeal. They parse; the rules are services'."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .complaints import MERCHANT_TYPES


class ComplaintForm(forms.Form):
    type = forms.ChoiceField(label=_("投诉类型"), choices=[(c.value, c.label) for c in MERCHANT_TYPES])
    description = forms.CharField(label=_("投诉内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text=_("写明事实与时间，不要填写手机号、微信等个人信息。"))
    evidence = forms.FileField(label=_("证明材料（可选）"), required=False,
                               help_text=_("PNG、JPEG 或 PDF；仅平台审核人员可见。"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ViolationAppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
