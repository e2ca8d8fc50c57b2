"""How credentials and cases read on the pages and in the API: dated badges with their source, anonymous names."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from providers.presenters import localized
from ratings.masking import mask_personal_data

from .models import Case, PlatformCredential


def period_label(start: dt.date, end: dt.date) -> str:
    """2025Q4 when the period lies in one quarter, 2025 for a calendar year, else 2025-03–2026-02."""
    quarter = (start.month - 1) // 3
    if start.year == end.year and quarter == (end.month - 1) // 3:
        return f"{start.year}Q{quarter + 1}"
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year)
    return f"{start:%Y-%m}–{end:%Y-%m}"


def credential_badge(credential: PlatformCredential, *, today: dt.date) -> dict:
    """{text, expired, verified, …}: "天猫五星 · 2025Q4 · 已核验"; 已过期 once period_end has passed (read time)."""
    expired = credential.expired_on(today)
    verified = credential.status == PlatformCredential.Status.VERIFIED
    if expired and verified:
        state = _("已过期")
    else:
        state = credential.get_status_display()
    name = f"{localized(credential.platform)}{credential.level}"
    return {
        "name": name,
        "source": credential.get_kind_display(),
        "period": period_label(credential.period_start, credential.period_end),
        "state": state,
        "text": " · ".join((name, period_label(credential.period_start, credential.period_end), state)),
        "expired": expired,
        "verified": verified,
        "period_end": credential.period_end,
    }


def case_store_name(case: Case) -> str:
    """The store as the public reads it: its name once its merchant agreed, else "某美妆个护品牌天猫店铺"."""
    if case.store_id and case.naming == Case.Naming.APPROVED:
        return case.store.name
    return _("某%(category)s品牌%(platform)s店铺") % {
        "category": localized(case.category), "platform": localized(case.platform),
    }


def case_display(case: Case) -> Case:
    """The case with `store_shown` and masked `title_shown`/`result_shown`/`work_shown` (the provider's words,
    masked always: a title is as public as the rest)."""
    case.store_shown = case_store_name(case)
    case.title_shown = mask_personal_data(case.title)
    case.result_shown = mask_personal_data(case.result)
    case.work_shown = mask_personal_data(case.work_done)
    case.period_shown = f"{case.period_start:%Y-%m}–{case.period_end:%Y-%m}"
    return case
