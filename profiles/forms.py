"""The team's forms: a profile change, a platform credential, a case. They parse; the services decide."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.cities import CITY_NAMES_EN, city_stored_name
from providers.forms import LocalizedModelChoiceField
from providers.models import Provider
from providers.presenters import localized

from .fields import PROFILE_FIELDS
from .models import Case, PlatformCredential

EVIDENCE_HELP = _("PNG、JPEG 或 PDF，不超过 5 MB；仅评级审核员和本团队可以查看。")
MONTH_INPUT = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
CITY_SEPARATORS = re.compile(r"[,，、;；\s]+")


class EvidenceField(forms.FileField):
    def __init__(self, *, required: bool, **kwargs):
        super().__init__(label=_("证明材料"), required=required, help_text=EVIDENCE_HELP,
                         widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.pdf"}), **kwargs)


class CitiesField(forms.CharField):
    """Cities served, separated by 、, commas or spaces; Chinese or English names of the directory's city list."""

    def to_python(self, value):
        names = [part for part in CITY_SEPARATORS.split(super().to_python(value) or "") if part]
        cities, unknown = [], []
        for name in names:
            city = city_stored_name(name)
            if city in CITY_NAMES_EN:
                if city not in cities:
                    cities.append(city)
            else:
                unknown.append(name)
        if unknown:
            raise forms.ValidationError(_("未知城市：%(cities)s（请使用目录中的城市名）。") % {"cities": "、".join(unknown)})
        return cities

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, list) else value


class ProfileChangeForm(forms.Form):
    """Every profile field at once, prefilled with the public values; the service keeps only what changed."""

    cities_served = CitiesField(label=_("服务城市"), required=False, help_text=_("用“、”或逗号分隔，如：杭州、上海"))
    evidence = EvidenceField(required=False)

    def __init__(self, *args, provider: Provider, **kwargs):
        model_fields = [name for name in PROFILE_FIELDS if name != "cities_served"]
        initial = {name: getattr(provider, name) for name in model_fields}
        for name in ("services", "platforms", "categories"):
            initial[name] = list(getattr(provider, name).all())
        initial["cities_served"] = provider.cities_served
        super().__init__(*args, initial=initial, **kwargs)
        fields = forms.fields_for_model(Provider, fields=model_fields)
        for name in ("services", "platforms", "categories"):
            fields[name].label_from_instance = localized  # the page's language, not the model's Chinese __str__
            fields[name].widget = forms.CheckboxSelectMultiple()
            fields[name].widget.choices = fields[name].choices
        ordered = {name: fields.get(name) or self.fields[name] for name in PROFILE_FIELDS}
        self.fields = {**ordered, "evidence": self.fields["evidence"]}
        self.fields["evidence"].help_text = _("新增仓储物流、跨境电商等星级门槛服务时必须上传。") + " " + str(EVIDENCE_HELP)

    def clean(self):
        data = super().clean()
        low, high = data.get("fee_min"), data.get("fee_max")
        if low is not None and high is not None and high < low:
            self.add_error("fee_max", _("月服务费上限不能低于下限。"))
        return data


class CredentialForm(forms.ModelForm):
    evidence = EvidenceField(required=True)

    class Meta:
        model = PlatformCredential
        fields = ["platform", "kind", "level", "period_start", "period_end"]
        field_classes = {"platform": LocalizedModelChoiceField}
        widgets = {"period_start": forms.DateInput(attrs={"type": "date"}),
                   "period_end": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"level": _("平台授予的等级原文，如“五星”“金牌”“认证服务商”。")}


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["title", "platform", "category", "period_start", "period_end", "work_done", "result", "store"]
        field_classes = {"platform": LocalizedModelChoiceField, "category": LocalizedModelChoiceField}
        widgets = {"period_start": MONTH_INPUT, "period_end": MONTH_INPUT,
                   "work_done": forms.Textarea(attrs={"rows": 4}), "result": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "store": _("可选：关联一家本服务商运营过的店铺，页面会在旁边展示该店铺同期的平台核验数据。"
                       "若店铺已被商家认领，需商家同意后才署名展示，否则匿名展示。"),
            "result": _("服务商自述；展示时会隐藏个人信息。"),
        }

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["store"].label_from_instance = lambda store: f"{localized(store.platform)} · {store.name}"
        for name in ("period_start", "period_end"):
            self.fields[name].input_formats = ["%Y-%m", "%Y-%m-%d"]

    def _post_clean(self):
        # The service builds and checks the case (store ownership, naming); the form only parses.
        pass
