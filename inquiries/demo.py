"""Demo requests in every state, so the merchant's and the provider's inquiry pages have something to show.

Called by `manage.py demo_accounts` with the demo merchant and the demo provider team. Idempotent: the demo
merchant's earlier requests are removed first. Other providers answer through demo staff accounts of their
own (no usable password: nobody signs in as them).
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from providers.models import Engagement, Membership, Platform, Provider, Service, Store

from . import services
from .models import Bid, InquiryRequest
from .selectors import providers_matching_needs


def _demo_staff(provider: Provider):
    user, created = get_user_model().objects.get_or_create(username=f"demo_inquiry_{provider.pk}")
    if created:
        user.set_unusable_password()
        user.save()
    provider.members.add(user, through_defaults={"role": Membership.Role.MANAGER})
    return user


@transaction.atomic
def demo_inquiries(*, merchant, provider: Provider, staff) -> dict[str, int]:
    """Requests of the demo merchant: one open with three answers, one hired and confirmed, one chosen and waiting
    for the provider's confirmation (the other invited provider not selected), one withdrawn, and one every invited
    provider declined (closed by itself)."""
    earlier = InquiryRequest.objects.filter(merchant=merchant)
    # A rerun starts over: the engagements and new stores an earlier run's hires made go with its requests.
    engagement_ids = list(Bid.objects.filter(request__in=earlier, engagement__isnull=False)
                          .values_list("engagement_id", flat=True))
    Store.objects.filter(engagements__id__in=engagement_ids, external_id__startswith="directory-").delete()
    Engagement.objects.filter(pk__in=engagement_ids).delete()
    earlier.delete()
    platform = provider.platforms.order_by("position").first() or Platform.objects.order_by("position").first()
    category = provider.categories.order_by("position").first()
    if category is None:
        return {}
    # Those a request may go to (request_create's own rule): listed, no hiding sanction, accepting new clients.
    others = list(
        providers_matching_needs(platform=platform, category=category, services=[], budget_min=None, budget_max=None)
        .exclude(pk=provider.pk)[:4]
    )
    operation = list(Service.objects.filter(code="operation"))
    next_month = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    common = {"merchant": merchant, "platform": platform, "category": category, "services": operation,
              "budget_min": 15000, "budget_max": 40000, "start_month": next_month, "term_months": 12}
    open_request = services.request_create(
        **common, new_store_name="新品牌旗舰店（筹备中）",
        description="新品牌筹备开店，需要店铺搭建、日常运营和大促策划，希望三个月内起量。",
        provider_ids=[provider.pk, *(p.pk for p in others)],
    )
    bids = {bid.provider_id: bid for bid in open_request.bids.all()}
    answers = iter(others)
    promising = next(answers, None)
    if promising:
        services.bid_propose(bid=bids[promising.pk], author=_demo_staff(promising), monthly_fee=28000,
                             term_months=12, commitments="全店运营、视觉与客服，每月复盘。",
                             message="我们保证销量三个月翻倍，详情可加微信 demo_wx_123 沟通。", services=operation)
    honest = next(answers, None)
    if honest:
        services.bid_propose(bid=bids[honest.pk], author=_demo_staff(honest), monthly_fee=22000, setup_fee=5000,
                             term_months=12, commitments="前三个月完成店铺搭建与基础流量，之后按月复盘目标。",
                             services=operation)
    busy = next(answers, None)
    if busy:
        services.bid_decline(bid=bids[busy.pk], author=_demo_staff(busy), reason="本季度排期已满。")
    late = next(answers, None)
    if late:
        # Invited four days ago and never answered: expired, counted as unanswered.
        Bid.objects.filter(pk=bids[late.pk].pk).update(invited_at=timezone.now() - dt.timedelta(days=4))
        services.bids_expire()
    services.message_post(bid=bids[provider.pk], author=merchant, body="请问贵司大促期间的人员配置是怎样的？")

    hired = services.request_create(**common, new_store_name="第二品牌店", description="第二品牌的天猫店，需要代运营。",
                                    provider_ids=[provider.pk])
    bid = hired.bids.get()
    services.bid_propose(bid=bid, author=staff, monthly_fee=25000, term_months=12,
                         commitments="全店代运营，月度复盘。", services=operation)
    services.bid_accept(bid=Bid.objects.get(pk=bid.pk), merchant=merchant)
    services.bid_confirm(bid=Bid.objects.get(pk=bid.pk), author=staff)

    # Chosen and waiting for the demo provider's confirmation (its 确认合作 button); the other one not selected.
    chosen = services.request_create(**common, new_store_name="第三品牌店", description="第三个品牌的天猫店，想找长期合作的团队。",
                                     provider_ids=[provider.pk, *(p.pk for p in others[:1])])
    chosen_bid = chosen.bids.get(provider=provider)
    services.bid_propose(bid=chosen_bid, author=staff, monthly_fee=30000, term_months=12,
                         commitments="店铺运营与大促策划，双周复盘。", services=operation)
    services.bid_accept(bid=Bid.objects.get(pk=chosen_bid.pk), merchant=merchant)

    withdrawn = services.request_create(**common, new_store_name="试水小店", description="想先了解报价。",
                                        provider_ids=[p.pk for p in others[:1]] or [provider.pk])
    services.request_withdraw(request=withdrawn, merchant=merchant, reason="暂缓开店")
    made = {"open": open_request.pk, "hired": hired.pk, "accepted": chosen.pk, "withdrawn": withdrawn.pk}

    # Every invited provider declined: the request ended by itself (已结束) and no longer counts toward the limit.
    turned_down = others[2:4] or others[:1]
    if turned_down:
        closed = services.request_create(**common, new_store_name="直播小店", description="想找擅长直播带货的团队，预算有限。",
                                         provider_ids=[p.pk for p in turned_down])
        reasons = ("预算低于我们的起步价。", "暂不承接直播业务。")
        for bid, reason in zip(closed.bids.select_related("provider").order_by("pk"), reasons):
            services.bid_decline(bid=bid, author=_demo_staff(bid.provider), reason=reason)
        made["closed"] = closed.pk
    return made
