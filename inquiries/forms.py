"""Forms of the inquiry pages; the rules they check beyond types live in inquiries.services."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.forms import LocalizedModelChoiceField, LocalizedModelMultipleChoiceField
from providers.models import Category, Platform, Provider, Service, Store
from providers.presenters import localized
from providers.selectors import merchant_stores, provider_list


def _month_choices() -> list[tuple[str, str]]:
    today = timezone.localdate().replace(day=1)
    months = []
    for offset in range(0, 13):
        year, month = divmod(today.month - 1 + offset, 12)
        first = dt.date(today.year + year, month + 1, 1)
        months.append((first.isoformat(), first.strftime("%Y-%m")))
    return months


class RequestForm(forms.Form):
    platform = LocalizedModelChoiceField(Platform.objects.order_by("position", "code"), to_field_name="code",
                                      label=_("平台"))
    category = LocalizedModelChoiceField(Category.objects.order_by("position", "code"), to_field_name="code",
                                      label=_("类目"))
    store = forms.ModelChoiceField(Store.objects.none(), required=False, label=_("店铺"),
                                   empty_label=_("新店（尚未开店或未认领）"))
    new_store_name = forms.CharField(max_length=120, required=False, label=_("新店名称"))
    services = LocalizedModelMultipleChoiceField(Service.objects.order_by("position", "code"), to_field_name="code",
                                              required=False, widget=forms.CheckboxSelectMultiple,
                                              label=_("所需服务"))
    budget_min = forms.IntegerField(min_value=0, max_value=10_000_000, label=_("月预算下限（元）"))
    budget_max = forms.IntegerField(min_value=0, max_value=10_000_000, label=_("月预算上限（元）"))
    start_month = forms.ChoiceField(choices=_month_choices, label=_("期望开始月份"))
    term_months = forms.IntegerField(min_value=1, max_value=60, initial=12, label=_("合作期限（月）"))
    description = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 5}), label=_("需求说明"),
                                  help_text=_("店铺现状、目标和希望服务商做的事。服务商在您选定方案前看不到您的身份与联系方式。"))
    providers = forms.ModelMultipleChoiceField(Provider.objects.none(), to_field_name="slug", required=False,
                                               widget=forms.CheckboxSelectMultiple, label=_("邀请的服务商"))
    suggest = forms.BooleanField(required=False, initial=True, label=_("由目录推荐符合条件的服务商（最多 5 家）"))

    def __init__(self, *args, merchant, invited_slugs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = merchant_stores(user=merchant)
        self.fields["store"].label_from_instance = lambda s: f"{s.name}（{localized(s.platform)}）"
        slugs = self.data.getlist("providers") if self.is_bound else list(invited_slugs)
        self.fields["providers"].queryset = provider_list(with_reference=False).filter(slug__in=slugs[:5])
        # Invited from a provider page or the compare page: those providers come ticked.
        self.fields["providers"].initial = slugs[:5]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("预算下限不能高于预算上限。"))
        return cleaned


class ProposalForm(forms.Form):
    monthly_fee = forms.IntegerField(min_value=0, max_value=10_000_000, label=_("月服务费（元）"))
    setup_fee = forms.IntegerField(min_value=0, max_value=10_000_000, initial=0, label=_("启动费（元）"))
    commission_pct = forms.DecimalField(min_value=0, max_value=50, decimal_places=1, required=False,
                                        label=_("销售提成（%，可不填）"))
    services = LocalizedModelMultipleChoiceField(Service.objects.order_by("position", "code"), to_field_name="code",
                                              required=False, widget=forms.CheckboxSelectMultiple,
                                              label=_("包含服务"))
    term_months = forms.IntegerField(min_value=1, max_value=60, label=_("合作期限（月）"))
    commitments = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), label=_("服务承诺"),
                                  help_text=_("目录规则禁止承诺销量、排名或回报（如“保证销量”“保底 GMV”）。"))
    message = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label=_("附言"))


class DeclineForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("婉拒理由"))


class MessageForm(forms.Form):
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label=_("消息"))
