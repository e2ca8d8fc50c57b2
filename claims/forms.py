"""The merchant's store-claim form and the provider-staff claim form: parsing only, the rules are in services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from providers.forms import LocalizedModelChoiceField

from .selectors import platforms_for_claims, provider_for_claim

EVIDENCE_HELP = _("PNG、JPEG 或 PDF，最大 5 MB；只有您本人和核验人员能看到。")


class StoreClaimForm(forms.Form):
    platform = LocalizedModelChoiceField(label=_("平台"), queryset=platforms_for_claims(), to_field_name="code",
                                   empty_label=_("请选择平台"))
    external_id = forms.CharField(label=_("平台店铺ID"), max_length=64,
                                  help_text=_("店铺在平台上的编号，可在卖家后台的店铺信息中找到。"))
    store_name = forms.CharField(label=_("店铺名称"), max_length=120)
    evidence = forms.FileField(
        label=_("卖家后台截图"), help_text=EVIDENCE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf"}),
    )


class ProviderClaimForm(forms.Form):
    provider = forms.CharField(label=_("服务商标识"), max_length=80,
                               help_text=_("服务商页面地址中的标识，例如 /providers/xinghai/ 中的 xinghai。"))
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=40,
                                  help_text=_("营业执照上的 18 位代码。"))
    evidence = forms.FileField(
        label=_("营业执照"), help_text=EVIDENCE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf"}),
    )

    def clean_provider(self):
        provider = provider_for_claim(slug=self.cleaned_data["provider"])
        if provider is None:
            raise forms.ValidationError(_("目录中没有这个服务商标识。"))
        return provider
