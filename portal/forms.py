"""Forms of the portal: the inbox filters, inviting a colleague, changing a member's role."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from providers.models import Membership


class InboxFilterForm(forms.Form):
    unanswered = forms.BooleanField(label=_("未回复"), required=False)
    low = forms.BooleanField(label=_("评分 ≤ 3"), required=False)
    platform = forms.ChoiceField(label=_("平台"), required=False)

    def __init__(self, *args, platforms: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", _("全部平台")), *platforms]


class InvitationForm(forms.Form):
    # The service normalises and validates the address (one rule); the form only takes text.
    email = forms.CharField(label=_("同事的邮箱"), max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=Membership.Role.choices)
