"""询价 → 方案 → 合作, through the services: suggestion, limits, proposals, hiring, expiry, masking, audit."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inquiries.models import Bid, InquiryEvent, InquiryRequest, PromiseReport
from inquiries.selectors import provider_response_stats, providers_suggested, thread_text
from inquiries.services import (
    bid_accept, bid_confirm, bid_decline, bid_propose, bids_expire, message_post, promise_report, request_create,
    request_withdraw,
)
from providers.models import Engagement, Provider
from ratings.services.reviews import review_submit
from tests.factories import (
    ProviderFactory, StoreFactory, UserFactory, category, merchant_of, platform, provider_staff, service,
)

pytestmark = pytest.mark.django_db


def make(slug, *, tier=None, score=None, platforms=("tmall",), categories=("beauty",), services=("operation",),
         fee=(10000, 30000), **fields):
    return ProviderFactory(slug=slug, name=slug, tier=tier, score=score and Decimal(score), platforms=platforms,
                           categories=categories, services=services, fee_min=fee[0] and Decimal(fee[0]),
                           fee_max=fee[1] and Decimal(fee[1]), **fields)


@pytest.fixture
def market():
    return {
        "six": make("six", tier=6, score="4.10", services=("operation", "warehousing")),
        "five": make("five", tier=5, score="4.60", services=("operation", "warehousing", "design")),
        "five_low": make("five-low", tier=5, score="3.90", services=("operation", "warehousing")),
        "untiered": make("untiered", score="4.90", services=("operation", "warehousing")),
        "no_warehouse": make("no-warehouse", tier=6, score="4.95"),
        "jd_only": make("jd-only", tier=6, score="4.95", platforms=("jd",), services=("operation", "warehousing")),
        "food": make("food", tier=6, score="4.95", categories=("food",), services=("operation", "warehousing")),
        "dear": make("dear", tier=6, score="4.95", fee=(80000, 120000), services=("operation", "warehousing")),
        "full": make("full", tier=6, score="4.95", accepting_new_clients=False,
                     services=("operation", "warehousing")),
        "delisted": make("delisted", tier=6, score="4.95", status=Provider.Status.DELISTED,
                         services=("operation", "warehousing")),
    }


def needs(**over):
    return {"platform": platform("tmall"), "category": category("beauty"),
            "services": [service("operation"), service("warehousing")], "budget_min": 20000, "budget_max": 40000,
            **over}


def test_the_suggestion_takes_every_wanted_service_in_the_directory_order_and_says_why(market):
    suggested = providers_suggested(**needs())
    assert [p.slug for p, _ in suggested] == ["six", "five", "five-low", "untiered"]
    assert suggested[0][1] == ["platform:tmall", "category:beauty", "service:operation", "service:warehousing",
                               "budget:20000-40000", "accepting"]


def test_the_suggestion_agrees_with_the_directory_page_on_the_same_data(client, market):
    """The directory's own page, filtered the same way, lists the same providers in the same order."""
    page = client.get("/providers/", {"platform": "tmall", "category": "beauty", "service": "warehousing",
                                      "fee_from": 20000, "fee_to": 40000})
    listed = [p.slug for p in page.context["page"].object_list]
    wanted = [service("warehousing")]
    suggested = [p.slug for p, _ in providers_suggested(**needs(services=wanted), limit=50)]
    # The directory lists those not accepting new clients too; the suggestion leaves them out, nothing else.
    assert [slug for slug in listed if slug != "full"] == suggested


def request_for(merchant, store, **over):
    data = needs(merchant=merchant, store=store, start_month=dt.date(2027, 1, 15), term_months=12,
                 description="新品牌天猫店，需要代运营和仓储。", suggest=True)
    data.update(over)
    return request_create(**data)


def test_a_whole_hire_verified_by_both_sides(market):
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"))
    merchant = merchant_of(store)
    chosen_owner = provider_staff(market["five"], role="owner")
    other_member = provider_staff(market["six"])

    request = request_for(merchant, store)
    assert [(b.provider.slug, b.suggested) for b in request.bids.order_by("pk")] == [
        ("six", True), ("five", True), ("five-low", True), ("untiered", True)]
    five_bid = request.bids.get(provider=market["five"])
    six_bid = request.bids.get(provider=market["six"])

    bid_propose(bid=five_bid, author=chosen_owner, monthly_fee=25000, term_months=12,
                commitments="每月复盘，三个月内完成店铺搭建。", services=[service("operation"), service("warehousing")])
    bid_propose(bid=six_bid, author=other_member, monthly_fee=30000, term_months=12, commitments="全案运营。")
    bid_accept(bid=five_bid, merchant=merchant)
    assert dict(request.bids.values_list("provider__slug", "status")) == {
        "five": "accepted", "six": "not_selected", "five-low": "not_selected", "untiered": "not_selected"}
    assert InquiryRequest.objects.get(pk=request.pk).status == "hired"

    engagement = bid_confirm(bid=five_bid, author=chosen_owner)
    assert (engagement.provider, engagement.store, engagement.start_date, engagement.source) == (
        market["five"], store, dt.date(2027, 1, 1), "directory")
    assert Bid.objects.get(pk=five_bid.pk).engagement == engagement
    # Verified from its first day: the merchant's review is accepted, with no admin import.
    engagement.start_date = timezone.localdate() - dt.timedelta(days=31)
    engagement.save()
    review = review_submit(engagement=engagement, author=merchant, rating=5, title="靠谱", body="仓储很稳。")
    assert review.verified is True
    assert list(InquiryEvent.objects.filter(request=request).values_list("action", "from_status", "to_status")
                .order_by("pk")) == [
        ("created", "", "open"), ("proposed", "invited", "proposed"), ("proposed", "invited", "proposed"),
        ("hired", "open", "hired"), ("accepted", "proposed", "accepted"), ("not_selected", "proposed", "not_selected"),
        ("not_selected", "invited", "not_selected"), ("not_selected", "invited", "not_selected"),
        ("confirmed", "accepted", "confirmed"),
    ]


def test_a_new_store_is_recorded_for_the_merchant_when_the_provider_confirms(market):
    merchant = UserFactory()
    owner = provider_staff(market["five"], role="owner")
    request = request_for(merchant, None, new_store_name="某新品牌天猫旗舰店", provider_ids=[market["five"].pk],
                          suggest=False)
    bid = request.bids.get()
    bid_propose(bid=bid, author=owner, monthly_fee=20000, term_months=6, commitments="开店全流程。")
    bid_accept(bid=bid, merchant=merchant)
    engagement = bid_confirm(bid=bid, author=owner)
    store = engagement.store
    assert (store.platform.code, store.external_id, store.name) == ("tmall", f"directory-{request.pk}", "某新品牌天猫旗舰店")
    assert list(store.merchants.all()) == [merchant]


def test_only_the_team_answers_and_only_the_merchant_hires(market):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk], suggest=False)
    bid = request.bids.get()
    outsider = provider_staff(market["six"], role="owner")
    with pytest.raises(PermissionDenied):
        bid_propose(bid=bid, author=outsider, monthly_fee=1, term_months=1, commitments="x")
    with pytest.raises(PermissionDenied):
        message_post(bid=bid, author=outsider, body="你好")
    bid_propose(bid=bid, author=provider_staff(market["five"]), monthly_fee=1, term_months=1, commitments="x")
    with pytest.raises(PermissionDenied):
        bid_accept(bid=bid, merchant=UserFactory())
    with pytest.raises(PermissionDenied):
        request_withdraw(request=request, merchant=outsider)
    assert Bid.objects.get(pk=bid.pk).status == "proposed"


def test_limits_and_bad_input_give_clear_messages_and_write_nothing(market):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    for _ in range(3):
        request_for(merchant, store, provider_ids=[market["five"].pk], suggest=False)
    with pytest.raises(ValidationError) as error:
        request_for(merchant, store)
    assert error.value.messages == ["最多同时保留 3 个进行中的需求单，请先结束或撤回一个。"]

    other = merchant_of(StoreFactory(platform=platform("tmall")))
    before = (InquiryRequest.objects.count(), Bid.objects.count())
    with pytest.raises(ValidationError) as error:
        request_for(other, other.stores.get(), provider_ids=[market["full"].pk, market["delisted"].pk], suggest=False)
    assert error.value.message_dict == {"providers": ["这些服务商目前不接受该平台、类目的新需求：delisted, full"]}
    with pytest.raises(ValidationError) as error:
        request_for(other, other.stores.get(), provider_ids=[p.pk for p in market.values()][:6], suggest=False)
    assert error.value.message_dict == {"providers": ["最多邀请 5 家服务商。"]}
    with pytest.raises(PermissionDenied):
        request_for(other, store)  # not their store
    with pytest.raises(ValidationError) as error:
        request_for(other, None)
    assert error.value.message_dict == {"new_store_name": ["请选择一个已核验的店铺，或填写新店名称。"]}
    with pytest.raises(ValidationError) as error:
        request_for(other, other.stores.get(), services=[service("multilingual")], provider_ids=[], suggest=True)
    assert error.value.message_dict == {"providers": ["没有符合这些条件的服务商，请放宽预算或服务要求。"]}
    assert (InquiryRequest.objects.count(), Bid.objects.count()) == before


def test_an_unanswered_invitation_expires_after_three_days_and_counts_as_unanswered(market):
    store = StoreFactory(platform=platform("tmall"))
    request = request_for(merchant_of(store), store, provider_ids=[market["five"].pk], suggest=False)
    bid = request.bids.get()
    assert bids_expire(now=bid.invited_at + dt.timedelta(days=2, hours=23)) == 0
    assert bids_expire(now=bid.invited_at + dt.timedelta(days=3, minutes=1)) == 1
    bid.refresh_from_db()
    assert bid.status == "expired"
    with pytest.raises(ValidationError):
        bid_propose(bid=bid, author=provider_staff(market["five"]), monthly_fee=1, term_months=1, commitments="x")
    assert InquiryEvent.objects.filter(bid=bid, action="expired").values_list("reason", flat=True).get() == (
        "no answer in 3 days")


def test_contact_details_stay_masked_until_the_merchant_accepts(market):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk], suggest=False)
    bid = request.bids.get()
    member = provider_staff(market["five"])
    message = message_post(bid=bid, author=member, body="详谈请加微信 wang_88888 或电话 13812345678")
    assert "13812345678" not in thread_text(bid, message.body)
    assert "wang_88888" not in thread_text(bid, message.body)
    bid_propose(bid=bid, author=member, monthly_fee=1, term_months=1, commitments="x")
    bid_accept(bid=Bid.objects.get(pk=bid.pk), merchant=merchant)
    assert thread_text(Bid.objects.get(pk=bid.pk), message.body) == message.body


def test_guarantee_language_can_be_reported_once_and_plain_text_cannot(market):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk, market["six"].pk], suggest=False)
    promising, plain = request.bids.get(provider=market["five"]), request.bids.get(provider=market["six"])
    bid_propose(bid=promising, author=provider_staff(market["five"]), monthly_fee=1, term_months=1,
                commitments="保证销量翻倍，保底GMV 100 万")
    bid_propose(bid=plain, author=provider_staff(market["six"]), monthly_fee=1, term_months=1, commitments="按月复盘")
    report = promise_report(bid=promising, reporter=merchant)
    assert report.phrases == ["保证销量", "保底GMV"] and report.status == "open"
    assert promise_report(bid=promising, reporter=merchant) == report
    assert PromiseReport.objects.count() == 1
    with pytest.raises(ValidationError):
        promise_report(bid=plain, reporter=merchant)
    with pytest.raises(PermissionDenied):
        promise_report(bid=promising, reporter=UserFactory())


def test_a_provider_that_does_not_confirm_reopens_the_request(market):
    """The other proposal comes back for the merchant to choose; the invitation never answered stays not selected."""
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk, market["six"].pk,
                                                        market["five_low"].pk], suggest=False)
    bid, other, silent = (request.bids.get(provider=market[slug]) for slug in ("five", "six", "five_low"))
    owner = provider_staff(market["five"], role="owner")
    bid_propose(bid=bid, author=owner, monthly_fee=1, term_months=1, commitments="x")
    bid_propose(bid=other, author=provider_staff(market["six"]), monthly_fee=2, term_months=1, commitments="y")
    bid_accept(bid=bid, merchant=merchant)
    with pytest.raises(ValidationError):
        bid_decline(bid=bid, author=owner, reason="  ")
    bid_decline(bid=bid, author=owner, reason="排期已满")
    assert InquiryRequest.objects.get(pk=request.pk).status == "open"
    assert [Bid.objects.get(pk=b.pk).status for b in (bid, other, silent)] == ["declined", "proposed", "not_selected"]
    assert Engagement.objects.filter(source="directory").count() == 0


def test_a_provider_that_does_not_confirm_the_only_proposal_closes_the_request(market):
    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk], suggest=False)
    bid = request.bids.get()
    owner = provider_staff(market["five"], role="owner")
    bid_propose(bid=bid, author=owner, monthly_fee=1, term_months=1, commitments="x")
    bid_accept(bid=bid, merchant=merchant)
    bid_decline(bid=bid, author=owner, reason="排期已满")
    assert InquiryRequest.objects.get(pk=request.pk).status == "closed"
    assert Bid.objects.get(pk=bid.pk).status == "declined"
    assert Engagement.objects.filter(source="directory").count() == 0


def test_response_statistics_show_from_five_requests_over_ninety_days(market):
    provider = market["five"]
    now = timezone.now()
    merchant = UserFactory()
    request = InquiryRequest.objects.create(
        merchant=merchant, platform=platform("tmall"), category=category("beauty"), new_store_name="店",
        budget_min=1, budget_max=2, start_month=dt.date(2027, 1, 1), term_months=1, description="x")
    waits = [2, 5, 8, None, 100]  # hours to the first answer; None: never answered (past its deadline)
    for hours in waits[:4]:
        invited = now - dt.timedelta(days=10)
        other = InquiryRequest.objects.get(pk=request.pk)
        other.pk = None
        other.save()
        Bid.objects.create(request=other, provider=provider)
        Bid.objects.filter(request=other).update(
            invited_at=invited, responded_at=hours and invited + dt.timedelta(hours=hours))
    assert provider_response_stats(provider=provider, now=now) is None
    Bid.objects.create(request=request, provider=provider)
    Bid.objects.filter(request=request).update(invited_at=now - dt.timedelta(days=10),
                                               responded_at=now - dt.timedelta(days=10) + dt.timedelta(hours=100))
    assert provider_response_stats(provider=provider, now=now) == {
        "deadline_days": 3, "requests": 5, "answered_on_time_pct": 60, "median_response_hours": 6.5}


def test_an_upheld_guarantee_report_is_an_over_promise_violation_on_the_ledger(market):
    from conduct.models import Violation
    from inquiries.services import promise_report_rule

    store = StoreFactory(platform=platform("tmall"))
    merchant = merchant_of(store)
    request = request_for(merchant, store, provider_ids=[market["five"].pk, market["six"].pk], suggest=False)
    five_bid, six_bid = request.bids.get(provider=market["five"]), request.bids.get(provider=market["six"])
    for bid, slug in ((five_bid, "five"), (six_bid, "six")):
        bid_propose(bid=bid, author=provider_staff(market[slug]), monthly_fee=1, term_months=1,
                    commitments="保证销量翻倍")
    moderator = UserFactory(is_staff=True)
    upheld = promise_report_rule(report=promise_report(bid=five_bid, reporter=merchant), upheld=True, actor=moderator)
    promise_report_rule(report=promise_report(bid=six_bid, reporter=merchant), upheld=False, actor=moderator)

    (violation,) = Violation.objects.all()
    assert (violation.provider, violation.type, violation.points, violation.reference, violation.status) == (
        market["five"], "over_promise", 12, f"inquiry-report-{upheld.pk}", "upheld")
    market["five"].refresh_from_db()
    assert (market["five"].sanction, market["five"].sanction_points) == ("warning", 12)
    with pytest.raises(ValidationError):
        promise_report_rule(report=upheld, upheld=False, actor=moderator)
