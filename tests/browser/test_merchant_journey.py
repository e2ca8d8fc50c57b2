"""A merchant's journey through the real pages in Chromium: find, compare, switch language, review.

Ratings come from the real engine (ratings_recompute over twelve months of performance rows and reviews),
so the explanation, the trend chart and the comparison show what production would show.
"""
import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from providers.models import Provider
from ratings import scoring
from ratings.models import Review, StorePerformance
from ratings.services import ratings_recompute, reviews_refresh_verification
from tests.factories import EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "merchant-pass-2025"
PHONE = "13812345678"

# slug, Chinese and English name, platforms, services, stores, monthly experience score, review ratings
PROVIDERS = [
    ("xinghai", "星海电商", "Xinghai Commerce", ["tmall", "jd"], ["operation", "warehousing"], 22, "4.80", [5] * 12),
    ("yunfan", "云帆运营", "Yunfan Operations", ["tmall", "douyin"], ["operation", "live_streaming"], 9, "4.55",
     [5, 4, 4]),
    ("qinghe", "青禾品牌管理", "Qinghe Brand Management", ["tmall"], ["design", "operation"], 10, "4.60", [4, 4]),
    ("beichen", "北辰科技", "Beichen Tech", ["taobao"], ["operation"], 4, "4.00", [4, 3]),
    ("nanfeng", "南风网络", "Nanfeng Network", ["tmall"], ["customer_service"], 3, "3.90", [3]),
]


def _rate_a_year(today: dt.date) -> None:
    """Twelve months of performance for every store, published reviews, then the monthly recomputes in order."""
    current = scoring.month_start(today)
    months = [scoring.add_months(current, -back) for back in range(11, -1, -1)]
    rows = []
    for slug, name, name_en, platforms, services, stores, score, ratings in PROVIDERS:
        provider = ProviderFactory(slug=slug, name=name, name_en=name_en, platforms=platforms, services=services,
                                   categories=["apparel"], city="杭州", verified=slug == "xinghai",
                                   description=f"{name}：专注天猫、京东店铺代运营。",
                                   description_en=f"{name_en}: store operation on Tmall and JD.")
        for index in range(stores):
            store = StoreFactory()
            EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=700))
            for month_index, month in enumerate(months):
                # A slow climb over the year so the trend chart has a shape.
                value = Decimal(score) - Decimal("0.02") * (11 - month_index)
                rows.append(StorePerformance(
                    store=store, period=month, product_score=value, logistics_score=value, service_score=value,
                    gmv=Decimal("100000"), orders=1000, complaint_rate=Decimal("0.0020"), refund_rate=Decimal("0.0400"),
                    on_time_ship_rate=Decimal("0.9800"), after_sales_response_hours=Decimal("5.00"),
                ))
            if index < len(ratings):
                ReviewFactory(provider=provider, store=store, rating=ratings[index], title=f"{name}的合作体验{index + 1}",
                              body="运营团队专业，沟通及时，店铺评分稳步提升。",
                              created_at=today - dt.timedelta(days=30 + index))
    StorePerformance.objects.bulk_create(rows)
    reviews_refresh_verification()
    for month in months:
        ratings_recompute(as_of=min(scoring.month_end(month), today))


@pytest.fixture
def directory(live_server):
    from django.utils import timezone

    today = timezone.localdate()
    _rate_a_year(today)
    merchant = UserFactory(username="merchant_li", password=PASSWORD)
    # A store Yunfan runs that has no review yet: one with a (seeded) review in the engagement is already reviewed.
    yunfan = Provider.objects.get(slug="yunfan")
    yunfan_store = yunfan.engagements.exclude(store__reviews__provider=yunfan).order_by("pk").first().store
    yunfan_store.merchants.add(merchant)
    return live_server.url


def card_names(page):
    return page.locator(".provider-card__name").all_inner_texts()


def test_merchant_finds_compares_switches_language_and_reviews(page, directory, screenshot):
    tiers = dict(Provider.objects.values_list("slug", "tier"))
    assert tiers == {"xinghai": 5, "yunfan": 4, "qinghe": 4, "beichen": 3, "nanfeng": 3}

    # Home: what the stars mean, the best per tier, a search box.
    page.goto(f"{directory}/")
    expect(page.get_by_role("heading", name="找到靠谱的电商代运营服务商")).to_be_visible()
    expect(page.locator(".tier-card")).to_have_count(4)
    screenshot("01-home")

    # Directory: filter by platform and tier, sort by review count; the filters land in the address.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="服务商目录", exact=True).click()
    expect(page.get_by_role("heading", name="服务商目录", level=1)).to_be_visible()
    assert card_names(page) == list(Provider.objects.order_by("-score").values_list("name", flat=True))
    # With JavaScript each change applies the filters at once (the 筛选 button stays for pages without it).
    with page.expect_navigation():
        page.locator("input[name=platform][value=tmall]").check()
    with page.expect_navigation():
        page.locator("#id_min_tier").select_option("4")
    with page.expect_navigation():
        page.locator("#id_sort").select_option("reviews")
    expect(page).to_have_url(re.compile(r"platform=tmall.*sort=reviews|sort=reviews.*platform=tmall"))
    assert card_names(page) == ["星海电商", "云帆运营", "青禾品牌管理"]
    expect(page.get_by_role("heading", name="共 3 家服务商")).to_be_visible()
    screenshot("02-directory-filtered")

    # The back button returns to the previous filters; forward brings the last one back.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"sort=reviews"))
    page.go_forward()
    expect(page.get_by_role("heading", name="共 3 家服务商")).to_be_visible()

    # A provider: the explanation, the trend chart without JavaScript, reviews.
    page.get_by_role("link", name="云帆运营").click()
    expect(page.get_by_role("heading", name=re.compile("云帆运营"), level=1)).to_be_visible()
    expect(page.locator(".explain")).to_contain_text("评价分 R")
    expect(page.locator(".gates")).to_contain_text("未达标")
    expect(page.locator(".next-tier")).to_contain_text("还需")
    # The chart is drawn twice (wide and compact, one shown by the screen width): 12 points in the visible one.
    expect(page.locator("svg.trend__svg:visible .trend__dot")).to_have_count(12)
    expect(page.locator("#reviews .review")).to_have_count(3)
    screenshot("03-provider")

    # Compare three providers put on the shortlist from the directory's cards.
    page.goto(f"{directory}/providers/")
    expect(page.locator("#compare-tray")).to_contain_text("已选 0/4")  # nothing on the shortlist yet
    for slug in ("xinghai", "yunfan", "beichen"):
        page.locator(f'.shortlist-toggle[value="{slug}"]').click()
        expect(page.locator(f'.shortlist-toggle[value="{slug}"]')).to_have_attribute("aria-pressed", "true")
    page.locator("#compare-tray").get_by_role("link", name="开始对比").click()
    expect(page).to_have_url(f"{directory}/compare/?p=xinghai%2Cyunfan%2Cbeichen")
    expect(page.locator(".compare-table__provider")).to_have_count(3)
    score_row = page.locator("tr.compare-row--score")
    expect(score_row.locator("td.is-best")).to_contain_text(str(Provider.objects.get(slug="xinghai").score))
    expect(page.locator("tr.compare-row--active_stores td").first).to_contain_text("22")
    screenshot("04-compare")

    # Switch to English: the same comparison, in English.
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Compare providers")).to_be_visible()
    expect(page.locator(".compare-table__provider").first).to_contain_text("Xinghai Commerce")
    screenshot("05-compare-en")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # Sign in as a merchant whose store Yunfan runs, and review it.
    page.get_by_role("link", name="登录").click()
    page.locator("input[name=login]").fill("merchant_li@example.com")  # sign-in is by e-mail (allauth)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/compare/"))  # back where the merchant signed in from
    page.get_by_role("link", name=re.compile("^我的评价")).click()
    expect(page.get_by_role("heading", name="我的评价", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="可以评价的合作")).to_be_visible()
    page.get_by_role("link", name="写评价").click()
    expect(page.get_by_role("heading", name=re.compile("写评价：云帆运营"))).to_be_visible()
    page.get_by_role("button", name="提交评价").click()  # empty: clear errors, nothing saved
    expect(page.get_by_text("请选择总体评分。")).to_be_visible()
    expect(page.get_by_text("请填写评价内容。")).to_be_visible()
    screenshot("06-review-form-errors")
    page.get_by_label("4 分 · 满意").check()
    page.get_by_label("运营效果").select_option("5")
    page.get_by_label("标题").fill("直播带货效果明显")
    page.get_by_label("评价内容").fill(f"运营小王很负责，有事可打他手机 {PHONE}，直播间转化提升明显。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("评价已提交，审核通过后将公开展示。")).to_be_visible()
    expect(page.locator(".mark--status-pending")).to_have_text("待审核")
    screenshot("07-my-reviews-pending")

    # Once moderation publishes it, the provider page shows it with the phone number masked.
    review = Review.objects.get(author__username="merchant_li")
    assert review.verified and review.status == Review.Status.PENDING
    Review.objects.filter(pk=review.pk).update(status=Review.Status.PUBLISHED)
    page.goto(f"{directory}/providers/yunfan/")
    published = page.locator(f"#review-{review.pk}")
    expect(published).to_contain_text("直播带货效果明显")
    expect(published).to_contain_text("138********")
    assert PHONE not in page.content()
    screenshot("08-provider-review-masked", target=published)


def test_the_directory_ticks_the_shortlist_and_unticking_drops_one(page, directory, screenshot):
    page.goto(f"{directory}/compare/?p=xinghai,yunfan,beichen")  # a shared set, saved as the shortlist
    page.get_by_role("button", name="保存为我的对比清单").click()
    page.goto(f"{directory}/providers/")

    for slug in ("xinghai", "yunfan", "beichen"):
        expect(page.locator(f'.shortlist-toggle[value="{slug}"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator('.shortlist-toggle[value="qinghe"]')).to_have_attribute("aria-pressed", "false")
    screenshot("13-directory-shortlist")
    page.locator('.shortlist-toggle[value="beichen"]').click()
    expect(page.locator('.shortlist-toggle[value="beichen"]')).to_have_attribute("aria-pressed", "false")
    page.locator("#compare-tray").get_by_role("link", name="开始对比").click()

    expect(page).to_have_url(f"{directory}/compare/?p=xinghai%2Cyunfan")
    # The tray's × takes a provider off the shortlist.
    page.goto(f"{directory}/providers/")
    page.get_by_role("button", name="移出对比 星海电商").click()
    expect(page.locator(".compare-tray__item")).to_have_count(1)
    expect(page.locator(".compare-tray__item")).to_contain_text("云帆运营")


def test_pages_are_usable_375_pixels_wide(page, directory, screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    for name, path in (("09-mobile-directory", "/providers/"), ("10-mobile-provider", "/providers/xinghai/"),
                       ("11-mobile-compare", "/compare/?p=xinghai,yunfan,beichen"), ("12-mobile-tiers", "/tiers/"),
                       ("14-mobile-provider-unmet", "/providers/beichen/")):
        page.goto(f"{directory}{path}")
        screenshot(name)
        # Nothing wider than the screen: the page does not scroll sideways (the comparison scrolls inside its box).
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        # The tier-gate checks (result column last) fit their card.
        overflowing = page.evaluate("""[...document.querySelectorAll('.gate .checks')].filter(table => {
            const card = table.closest('.gate').getBoundingClientRect(), box = table.getBoundingClientRect();
            return box.right > card.right || table.scrollWidth > table.clientWidth;
        }).length""")
        assert overflowing == 0, path

    # The comparison's label column stays in view while the providers scroll sideways beneath it.
    page.goto(f"{directory}/compare/?p=xinghai,yunfan,beichen")
    labels = page.locator(".compare-table tr > :first-child")
    for index in (0, 1, labels.count() - 1):
        assert labels.nth(index).evaluate("cell => getComputedStyle(cell).position") == "sticky"
    gate_label = page.locator("tr.compare-row--gate_6 th")
    first_cell = page.locator("tr.compare-row--gate_6 td").first
    label_box, cell_box = gate_label.bounding_box(), first_cell.bounding_box()
    assert label_box["x"] + label_box["width"] <= cell_box["x"] + 1  # the row header no longer covers the result
    page.locator(".compare-scroll").evaluate("box => { box.scrollLeft = 200; }")
    assert gate_label.bounding_box()["x"] == label_box["x"]

    # The tier rules: one block per tier on a phone instead of a five-column table.
    page.goto(f"{directory}/tiers/")
    expect(page.locator(".tier-gates--list .tier-gate")).to_have_count(4)
    expect(page.locator(".tier-gates--table")).to_be_hidden()
