"""Demo rows for the profile pages: a pending profile change, a verified and an expired credential, a published
case beside a store's verified figures and a pending one.

Called by `manage.py demo_accounts`. Idempotent: a rerun replaces the demo provider's rows. They are written as
a seed (statuses set directly, no audit rows), the way the demo seed writes reviews.
"""
from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from providers.models import Category, Engagement, Platform, Provider

from .models import Case, PlatformCredential, ProfileChange

# A 1×1 PNG: the demo evidence a grader can open from the admin.
DEMO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _evidence(row) -> None:
    row.evidence.save("demo.png", ContentFile(DEMO_PNG), save=False)
    row.evidence_type = "image/png"


@transaction.atomic
def profiles_demo(*, provider: Provider, owner) -> list[str]:
    """The demo rows of `provider`, submitted by `owner`; lines for the console."""
    today = timezone.localdate()
    ProfileChange.objects.filter(provider=provider).delete()
    PlatformCredential.objects.filter(provider=provider).delete()
    Case.objects.filter(provider=provider).delete()
    tmall = Platform.objects.get(code="tmall")

    ProfileChange.objects.create(
        provider=provider, submitted_by=owner,
        proposed={"cities_served": ["杭州", "上海", "苏州"], "accepting_new_clients": not provider.accepting_new_clients},
    )
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    for level, start, end in (
        ("五星", quarter_start, (quarter_start + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)),
        ("四星", dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 3, 31)),  # expired
    ):
        credential = PlatformCredential(provider=provider, platform=tmall, kind=PlatformCredential.Kind.TMALL_STAR,
                                        level=level, period_start=start, period_end=end, submitted_by=owner,
                                        status=PlatformCredential.Status.VERIFIED, decided_at=timezone.now())
        _evidence(credential)
        credential.save()

    engagement = Engagement.objects.filter(provider=provider).select_related("store__category").order_by("pk").first()
    store = engagement.store if engagement else None
    category = (store.category if store and store.category_id else None) or Category.objects.get(code="beauty")
    start = dt.date(today.year - 1, 1, 1)
    Case.objects.create(
        provider=provider, title="老店焕新：半年复购率提升", platform=store.platform if store else tmall,
        category=category, period_start=start, period_end=dt.date(today.year - 1, 6, 1),
        work_done="重做商品详情页与会员体系，优化客服排班。", result="复购率由 18% 提升到 27%（服务商自述）。",
        store=store, status=Case.Status.PUBLISHED, naming=Case.Naming.ANONYMOUS, submitted_by=owner,
        decided_at=timezone.now(),
    )
    Case.objects.create(
        provider=provider, title="大促备战（待审核）", platform=tmall, category=category,
        period_start=dt.date(today.year - 1, 9, 1), period_end=dt.date(today.year - 1, 11, 1),
        work_done="双十一备货与直播排期。", result="大促成交额同比增长 40%（服务商自述）。", submitted_by=owner,
    )
    return [(f"profiles  {provider.name}: 1 pending profile change, credentials 天猫五星 (verified) and 天猫四星 "
             "(expired), 1 published case and 1 pending")]
