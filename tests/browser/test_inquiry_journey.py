"""询价 → 方案 → 合作 in Chromium: a merchant asks for proposals with "suggest providers", two answer (one
promising sales, flagged and reported), the merchant compares and hires one, the provider confirms, and the
merchant's review of that engagement is verified and counted; the third provider's invitation expires."""
import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inquiries.models import Bid, InquiryRequest
from inquiries.services import bid_propose, bids_expire, request_create
from ratings.services import ratings_recompute
from ratings.services.reviews import review_submit
from tests.factories import StoreFactory, UserFactory, category, platform, provider_staff, service
from tests.inquiries.test_flow import make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "inquiry-pass-2026"


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_merchant_asks_compares_hires_and_reviews(live_server, page, screenshot):
    base = live_server.url
    providers = {slug: make(slug, tier=tier, score=score, services=("operation", "warehousing"))
                 for slug, tier, score in (("xinghai", 6, "4.50"), ("yunfan", 5, "4.40"), ("qinghe", 4, "4.20"))}
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"), name="蓝鲸美妆旗舰店")
    merchant = UserFactory(username="merchant_wu", password=PASSWORD)
    store.merchants.add(merchant)
    staff = {slug: provider_staff(p, username=f"staff_{slug}", role="owner") for slug, p in providers.items()}
    for user in staff.values():
        user.set_password(PASSWORD)
        user.save()

    sign_in(page, base, "merchant_wu@example.com")
    page.goto(f"{base}/requests/new/")
    page.locator("#id_platform").select_option("tmall")
    page.locator("#id_category").select_option("beauty")
    page.locator("#id_store").select_option(str(store.pk))
    page.get_by_label("店铺运营").check()
    page.get_by_label("仓储物流").check()
    page.get_by_label("月预算下限（元）").fill("15000")
    page.get_by_label("月预算上限（元）").fill("40000")
    page.get_by_label("需求说明").fill("美妆旗舰店，需要全店运营和仓储，希望大促前完成交接。")
    screenshot("inquiry-form")
    page.get_by_role("button", name="发出需求").click()
    expect(page.get_by_text("需求已发出")).to_be_visible()
    inquiry = InquiryRequest.objects.get()
    assert list(inquiry.bids.order_by("pk").values_list("provider__slug", "suggested")) == [
        ("xinghai", True), ("yunfan", True), ("qinghe", True)]

    bids = {bid.provider.slug: bid for bid in inquiry.bids.select_related("provider")}
    bid_propose(bid=bids["xinghai"], author=staff["xinghai"], monthly_fee=30000, term_months=12,
                commitments="我们保证销量三个月翻倍。", services=[service("operation")])
    bid_propose(bid=bids["yunfan"], author=staff["yunfan"], monthly_fee=22000, term_months=12,
                commitments="按月复盘，三个月完成店铺搭建。", services=[service("operation"), service("warehousing")])

    page.goto(f"{base}/requests/{inquiry.pk}/")
    expect(page.get_by_text("目录规则禁止服务商承诺销量、排名或回报").first).to_be_visible()
    screenshot("inquiry-proposals")
    page.get_by_role("button", name="举报违规承诺").first.click()
    expect(page.get_by_text("已举报")).to_be_visible()
    assert list(bids["xinghai"].reports.values_list("phrases", flat=True)) == [["保证销量"]]
    page.locator(f"form[action$='/bids/{bids['yunfan'].pk}/accept/'] button").click()
    expect(page.get_by_text("已选定该方案")).to_be_visible()

    # The provider confirms in its portal.
    page.context.clear_cookies()
    sign_in(page, base, "staff_yunfan@example.com")
    page.goto(f"{base}/portal/yunfan/requests/{bids['yunfan'].pk}/")
    expect(page.get_by_text("merchant_wu@example.com")).to_be_visible()
    screenshot("inquiry-confirm")
    page.get_by_role("button", name="确认合作").click()
    expect(page.locator(".message--success")).to_contain_text("合作已确认")

    statuses = dict(Bid.objects.filter(request=inquiry).values_list("provider__slug", "status"))
    assert statuses == {"xinghai": "not_selected", "yunfan": "confirmed", "qinghe": "not_selected"}
    engagement = Bid.objects.get(pk=bids["yunfan"].pk).engagement
    assert engagement.source == "directory"

    # Once it has run a while, the merchant's review is verified with no admin import, and it counts.
    engagement.start_date = timezone.localdate() - dt.timedelta(days=40)
    engagement.save()
    review = review_submit(engagement=engagement, author=merchant, rating=5, title="交接顺利", body="仓储很稳。")
    assert review.verified is True
    review.status = "published"
    review.save()
    ratings_recompute(as_of=timezone.localdate())
    providers["yunfan"].refresh_from_db()
    assert providers["yunfan"].review_count == 1


def test_an_unanswered_invitation_expires_and_the_provider_sees_it(live_server, page, screenshot):
    base = live_server.url
    provider = make("qinghe", tier=4, score="4.20")
    owner = provider_staff(provider, username="staff_qinghe", role="owner")
    owner.set_password(PASSWORD)
    owner.save()
    merchant = UserFactory(username="merchant_ma", password=PASSWORD)
    inquiry = request_create(merchant=merchant, platform=platform("tmall"), category=category("beauty"),
                             new_store_name="新店", services=[], budget_min=1000, budget_max=50000,
                             start_month=dt.date(2027, 3, 1), term_months=6, description="新店开张。",
                             provider_ids=[provider.pk])
    bid = inquiry.bids.get()
    # Time moves in the test (never slept): the sweep runs as of three days and a minute later.
    assert bids_expire(now=bid.invited_at + dt.timedelta(days=3, minutes=1)) == 1
    sign_in(page, base, "staff_qinghe@example.com")
    page.goto(f"{base}/portal/qinghe/requests/")
    expect(page.locator("li.card").get_by_text("超时未回复")).to_be_visible()
    screenshot("inquiry-inbox-expired")
