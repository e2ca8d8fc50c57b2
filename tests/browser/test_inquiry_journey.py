"""询价 → 方案 → 合作 in Chromium, every step through the pages a new user would use: a merchant with a verified
store asks for proposals with "suggest providers"; two suggested providers' staff answer from their portal inbox
through the proposal form (one promising sales, which the merchant sees flagged and reports); the merchant compares
the proposals and hires one; that provider confirms in its portal; the merchant reviews the engagement through the
review form, the review is verified with no admin import and counts once approved; the other provider's request
shows "not selected"; the third provider, which never answered, sees its invitation expired after 3 days.

Only what is not a page stays a service call: the expiry sweep (a Celery beat job, run with the clock moved, never
slept), the moderator's approval and the monthly recompute (a Celery job)."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inquiries.models import Bid, InquiryRequest
from inquiries.services import bids_expire
from ratings.models import Review, ScoreSnapshot
from ratings.services import ratings_recompute
from ratings.services.moderation import APPROVE, reviews_moderate
from tests.factories import (
    MODERATORS,
    StoreFactory,
    UserFactory,
    category,
    platform,
    provider_staff,
    staff_user,
)
from tests.inquiries.test_flow import make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "inquiry-pass-2026"
MERCHANT_EMAIL = "merchant_wu@example.com"


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)  # sign-in is by e-mail (allauth), as in the other journeys
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def account_menu(page, name):
    """A link of the header's account menu, which opens on hover."""
    page.get_by_role("link", name=re.compile("^我的评价")).hover()
    page.get_by_role("list", name="账号菜单").get_by_role("link", name=name, exact=True).click()


def open_inbox_request(portal, inquiry_pk):
    """From the portal's first page, through the 需求 tab, to the request in the inbox."""
    portal.get_by_role("navigation", name="服务商后台").get_by_role("link", name="需求", exact=True).click()
    expect(portal.get_by_role("heading", name="需求收件箱", level=2)).to_be_visible()
    portal.get_by_role("link", name=f"需求单 #{inquiry_pk}", exact=True).click()


def test_a_merchant_asks_compares_hires_and_reviews_and_each_provider_sees_its_outcome(
        live_server, page, browser, browser_context_args, screenshot):
    base = live_server.url
    providers = {slug: make(slug, tier=tier, score=score, services=("operation", "warehousing"))
                 for slug, tier, score in (("xinghai", 6, "4.50"), ("yunfan", 5, "4.40"), ("qinghe", 4, "4.20"))}
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"), name="蓝鲸美妆旗舰店")
    merchant = UserFactory(username="merchant_wu", password=PASSWORD)
    store.merchants.add(merchant)  # the merchant's verified store
    for slug, provider in providers.items():
        staff = provider_staff(provider, username=f"staff_{slug}", role="owner")
        staff.set_password(PASSWORD)
        staff.save()
    moderator = staff_user(MODERATORS, username="moderator_li")
    today = timezone.localdate()
    contexts = []

    def portal_of(slug):
        """The provider's staff, signed in in a browser of their own, on the portal's first page."""
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        portal = context.new_page()
        sign_in(portal, base, f"staff_{slug}@example.com")
        account_menu(portal, "服务商后台")
        expect(portal.get_by_role("heading", name=slug, level=1)).to_be_visible()
        return portal

    # 1. The merchant asks for proposals for the verified store and lets the directory suggest providers.
    sign_in(page, base, MERCHANT_EMAIL)
    account_menu(page, "我的需求单")
    page.get_by_role("link", name="获取方案").click()
    page.get_by_label("平台").select_option("tmall")
    page.get_by_label("类目").select_option("beauty")
    page.get_by_label("店铺", exact=True).select_option(str(store.pk))
    page.get_by_label("店铺运营").check()
    page.get_by_label("仓储物流").check()
    page.get_by_label("月预算下限（元）").fill("15000")
    page.get_by_label("月预算上限（元）").fill("40000")
    # This month: the engagement has begun when the merchant comes to review it.
    page.get_by_label("期望开始月份").select_option(today.replace(day=1).isoformat())
    page.get_by_label("需求说明").fill("美妆旗舰店，需要全店运营和仓储，希望大促前完成交接。")
    expect(page.get_by_label("由目录推荐符合条件的服务商（最多 5 家）")).to_be_checked()
    screenshot("inquiry-01-request-form")
    page.get_by_role("button", name="发出需求").click()
    expect(page.locator(".message--success")).to_have_text("需求已发出，服务商将在 3 天内回复。")
    inquiry = InquiryRequest.objects.get()
    expect(page.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 征集方案中", level=1)).to_be_visible()
    for slug in ("xinghai", "yunfan", "qinghe"):
        expect(page.get_by_role("heading", name=f"{slug} · 待回复 目录推荐", level=3)).to_be_visible()
    assert list(inquiry.bids.order_by("pk").values_list("provider__slug", "suggested")) == [
        ("xinghai", True), ("yunfan", True), ("qinghe", True)]
    bids = {bid.provider.slug: bid for bid in inquiry.bids.select_related("provider")}
    screenshot("inquiry-02-request-sent")

    # 2. Two providers' staff answer from their inbox, through the proposal form; one promises sales.
    answers = {
        "xinghai": {"fee": "30000", "services": ["店铺运营"], "commitments": "我们保证销量三个月翻倍。", "note": ""},
        "yunfan": {"fee": "22000", "services": ["店铺运营", "仓储物流"],
                   "commitments": "按月复盘，三个月完成店铺搭建。", "note": "大促前两周完成仓储交接。"},
    }
    portals = {}
    for number, (slug, answer) in enumerate(answers.items(), start=3):
        portal = portals[slug] = portal_of(slug)
        open_inbox_request(portal, inquiry.pk)
        expect(portal.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 待回复", level=2)).to_be_visible()
        # Before the merchant chooses, the provider sees the needs but not who asks.
        expect(portal.get_by_text("商家选定您的方案后，才会显示其身份、店铺与联系方式。")).to_be_visible()
        expect(portal.get_by_text(MERCHANT_EMAIL)).to_have_count(0)
        expect(portal.get_by_label("合作期限（月）")).to_have_value("12")  # the request's term, as the default
        portal.get_by_label("月服务费（元）").fill(answer["fee"])
        for name in answer["services"]:
            portal.get_by_label(name).check()
        portal.get_by_label("服务承诺").fill(answer["commitments"])
        portal.get_by_label("附言").fill(answer["note"])
        screenshot(f"inquiry-{number:02d}-proposal-form-{slug}", target=portal.locator("body"))
        portal.get_by_role("button", name="提交方案").click()
        expect(portal.locator(".message--success")).to_have_text("方案已提交给商家。")
        expect(portal.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 已提交方案", level=2)).to_be_visible()
        expect(portal.get_by_role("button", name="提交方案")).to_have_count(0)
    # The provider that promised sales is warned on its own page too (with no report button: that is the merchant's).
    expect(portals["xinghai"].get_by_role("note")).to_contain_text("保证销量")
    expect(portals["xinghai"].get_by_role("note").get_by_role("button")).to_have_count(0)
    expect(portals["yunfan"].get_by_role("note")).to_have_count(0)
    screenshot("inquiry-05-proposal-flagged-xinghai", target=portals["xinghai"].locator("body"))

    # 3. Time moves (never slept): the expiry sweep, as the beat runs it, three days after the invitations.
    invited_at = bids["qinghe"].invited_at
    assert bids_expire(now=invited_at + dt.timedelta(days=3, minutes=-1)) == 0
    assert bids_expire(now=invited_at + dt.timedelta(days=3, minutes=1)) == 1
    assert dict(inquiry.bids.values_list("provider__slug", "status")) == {
        "xinghai": "proposed", "yunfan": "proposed", "qinghe": "expired"}

    # 4. The merchant compares the two proposals, sees the sales promise flagged and reports it.
    account_menu(page, "我的需求单")
    page.get_by_role("link", name=f"需求单 #{inquiry.pk}", exact=True).click()
    expect(page.get_by_role("heading", name="方案对比", level=2)).to_be_visible()
    compare = page.locator(".compare-table")
    expect(compare.get_by_role("columnheader")).to_have_text(["项目", "xinghai", "yunfan"])

    def compare_row(label):
        return compare.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))

    expect(compare_row("月服务费").get_by_role("cell")).to_have_text(["¥30000", "¥22000 最低"])
    expect(compare_row("包含服务").get_by_role("cell")).to_have_text(["店铺运营", "店铺运营、仓储物流"])
    expect(compare_row("合作期限").get_by_role("cell")).to_have_text(["12", "12"])
    expect(compare_row("附言").get_by_role("cell")).to_have_text(["—", "大促前两周完成仓储交接。"])
    expect(compare_row("状态").get_by_role("cell")).to_have_text([re.compile("^已提交方案"), re.compile("^已提交方案")])
    expect(page.get_by_role("heading", name="qinghe · 超时未回复 目录推荐", level=3)).to_be_visible()
    flag = compare_row("服务承诺").get_by_role("cell").first.get_by_role("note")
    expect(flag).to_have_text(re.compile(r"注意：这里出现了“保证销量”一类的承诺。目录规则禁止服务商承诺销量、排名或回报"))
    expect(page.get_by_role("note")).to_have_count(1)  # yunfan's proposal is not flagged
    screenshot("inquiry-06-compare-flagged")
    flag.get_by_role("button", name="举报违规承诺").click()
    expect(page.locator(".message--success")).to_have_text("已举报，审核员会处理。谢谢！")
    assert list(bids["xinghai"].reports.values_list("phrases", "status")) == [(["保证销量"], "open")]
    screenshot("inquiry-07-reported")

    # 5. The merchant hires yunfan from the comparison.
    compare_row("状态").get_by_role("cell").nth(1).get_by_role("button", name="选定此方案").click()
    expect(page.locator(".message--success")).to_have_text("已选定该方案，等待服务商确认合作。")
    expect(page.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 已选定服务商", level=1)).to_be_visible()
    expect(compare_row("状态").get_by_role("cell")).to_have_text(["未选中", "已选定，待服务商确认"])
    expect(page.get_by_role("button", name="选定此方案")).to_have_count(0)
    screenshot("inquiry-08-hired")

    # 6. yunfan confirms in its portal, where the merchant's identity now shows.
    yunfan = portals["yunfan"]
    yunfan.reload()
    expect(yunfan.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 已选定，待服务商确认", level=2)).to_be_visible()
    expect(yunfan.get_by_text(f"商家：{MERCHANT_EMAIL} · 店铺：蓝鲸美妆旗舰店")).to_be_visible()
    screenshot("inquiry-09-confirm", target=yunfan.locator("body"))
    yunfan.get_by_role("button", name="确认合作").click()
    expect(yunfan.locator(".message--success")).to_have_text("合作已确认，双方核验的合作记录已建立。")
    expect(yunfan.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 合作已确认", level=2)).to_be_visible()
    assert dict(inquiry.bids.values_list("provider__slug", "status")) == {
        "xinghai": "not_selected", "yunfan": "confirmed", "qinghe": "expired"}
    engagement = Bid.objects.select_related("engagement").get(pk=bids["yunfan"].pk).engagement
    assert (engagement.provider_id, engagement.store_id, engagement.source, engagement.start_date) == (
        providers["yunfan"].pk, store.pk, "directory", today.replace(day=1))

    # 7. The provider not chosen learns it from its notifications and sees it on its request page and inbox.
    xinghai = portals["xinghai"]
    xinghai.get_by_role("link", name=re.compile("^通知")).click()
    xinghai.get_by_role("link", name=f"需求单 #{inquiry.pk}：商家选择了其他方案，感谢您的回复").click()
    expect(xinghai.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 未选中", level=2)).to_be_visible()
    expect(xinghai.get_by_text(MERCHANT_EMAIL)).to_have_count(0)  # the merchant stays anonymous to it
    screenshot("inquiry-10-not-selected", target=xinghai.locator("body"))
    xinghai.get_by_role("link", name="← 需求收件箱").click()
    expect(xinghai.locator("li.card")).to_have_count(1)
    expect(xinghai.locator("li.card p")).to_contain_text(re.compile("^未选中 · 月预算 ¥15000–¥40000"))

    # 8. The merchant sees the outcome and reviews the engagement through the review form.
    page.reload()
    expect(page.get_by_role("heading", name="yunfan · 合作已确认 目录推荐", level=3)).to_be_visible()
    expect(page.get_by_role("heading", name="xinghai · 未选中 目录推荐", level=3)).to_be_visible()
    page.get_by_role("link", name=re.compile("^我的评价")).click()
    expect(page.get_by_role("heading", name="可以评价的合作")).to_be_visible()
    page.get_by_role("link", name="写评价").click()
    expect(page.get_by_role("heading", name="写评价：yunfan", level=1)).to_be_visible()
    expect(page.get_by_label("合作店铺")).to_have_value(str(engagement.pk))  # the one engagement, preselected
    page.get_by_label("5 分 · 非常满意").check()
    page.get_by_label("标题").fill("交接顺利")
    page.get_by_label("评价内容").fill("仓储很稳，大促前完成了交接。")
    screenshot("inquiry-11-review-form")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".message--success")).to_have_text("评价已提交，审核通过后将公开展示。")
    expect(page.locator(".mark--status-pending")).to_have_text("待审核")
    screenshot("inquiry-12-review-pending")
    review = Review.objects.get(author=merchant)
    # Verified by the engagement both sides confirmed here: no admin import of engagements.
    assert (review.engagement_id, review.verified, review.status, review.rating) == (
        engagement.pk, True, "pending", 5)

    # 9. Pending, it does not count; once a moderator approves it, the next recompute counts it.
    period = today.replace(day=1)
    ratings_recompute(as_of=today)
    assert ScoreSnapshot.objects.get(provider=providers["yunfan"], period=period).review_count == 0
    assert reviews_moderate(review_ids=[review.pk], decision=APPROVE, actor=moderator) == 1
    ratings_recompute(as_of=today)
    snapshot = ScoreSnapshot.objects.get(provider=providers["yunfan"], period=period)
    assert (snapshot.review_count, snapshot.review_average) == (1, Decimal("5.00"))
    providers["yunfan"].refresh_from_db()
    assert (providers["yunfan"].review_count, providers["yunfan"].review_average) == (1, Decimal("5.00"))
    yunfan.get_by_role("navigation", name="服务商后台").get_by_role("link", name="概览").click()
    expect(yunfan.get_by_text("1 条计分评价")).to_be_visible()
    screenshot("inquiry-13-portal-rating", target=yunfan.locator("body"))
    page.reload()  # 我的评价, where the published review links to the provider's page
    expect(page.locator(".mark--status-published")).to_have_text("已发布")
    page.get_by_role("link", name="yunfan", exact=True).click()
    published = page.locator(f"#review-{review.pk}")
    expect(published).to_contain_text("交接顺利")
    expect(published.locator(".mark--verified")).to_have_text("已验证合作")
    screenshot("inquiry-14-review-published", target=published)

    # 10. The third provider never answered: its inbox and request page show the invitation expired.
    qinghe = portal_of("qinghe")
    qinghe.get_by_role("navigation", name="服务商后台").get_by_role("link", name="需求", exact=True).click()
    expect(qinghe.locator("li.card p")).to_contain_text(re.compile("^超时未回复 · 月预算 ¥15000–¥40000"))
    screenshot("inquiry-15-inbox-expired", target=qinghe.locator("body"))
    qinghe.get_by_role("link", name=f"需求单 #{inquiry.pk}", exact=True).click()
    expect(qinghe.get_by_role("heading", name=f"需求单 #{inquiry.pk} · 超时未回复", level=2)).to_be_visible()
    expect(qinghe.get_by_role("button", name="提交方案")).to_have_count(0)  # too late to answer
    expect(qinghe.get_by_role("button", name="婉拒")).to_have_count(0)
    screenshot("inquiry-16-expired", target=qinghe.locator("body"))

    for context in contexts:
        context.close()
