"""The provider page (providers.views.provider_detail_view): profile, rating, trend, store performance, reviews."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    StoreFactory,
    UserFactory,
    provider_staff,
)

LIST_URL = reverse("providers:list")


@pytest.fixture
def provider(db):
    return ProviderFactory(
        slug="xinghai", name="星海电商", name_en="Xinghai Commerce", description="专注天猫服饰类目。",
        description_en="Tmall apparel specialists.", city="杭州", founded_year=2012,
        size_band=Provider.SizeBand.MEDIUM, fee_min=Decimal("8000"), fee_max=Decimal("30000"),
        international_brands=12, warehouse_area_m2=5000, website="https://xinghai.example.com", verified=True,
        tier=5, score=Decimal("4.62"), review_average=Decimal("4.50"), review_count=2,
        platforms=["tmall", "jd"], categories=["apparel", "beauty"], services=["warehousing", "operation"],
    )


def detail(client, slug):
    return client.get(reverse("providers:detail", kwargs={"slug": slug}))


def test_provider_page_shows_the_profile(client, provider):
    response = detail(client, "xinghai")

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "星海电商", "Xinghai Commerce", "专注天猫服饰类目。", "Tmall apparel specialists.", "杭州", "2012",
        "100–499人", "¥8,000–¥30,000/月", "5000 ㎡", "https://xinghai.example.com", "已核验",
        "天猫", "京东", "服饰鞋包", "美妆个护", "仓储物流", "店铺运营", "五星", "4.62", "4.5 · 2 条计分评价",
    ):
        assert text in html, text


def test_provider_page_counts_active_stores_without_naming_them(client, provider):
    today = timezone.localdate()
    running = StoreFactory(name="某某旗舰店", external_id="TM-SECRET-1")
    EngagementFactory(provider=provider, store=running, start_date=today - dt.timedelta(days=400))
    EngagementFactory(provider=provider, start_date=today - dt.timedelta(days=30), end_date=today)
    ended = today - dt.timedelta(days=1)
    EngagementFactory(provider=provider, start_date=today - dt.timedelta(days=400), end_date=ended)

    response = detail(client, "xinghai")

    assert response.context["active_store_count"] == 2
    html = response.content.decode()
    assert "某某旗舰店" not in html
    assert "TM-SECRET-1" not in html


def test_provider_page_shows_latest_published_reviews_without_personal_data(client, provider):
    author = UserFactory(username="merchant_wang", email="wang@shop.example.com")
    store = StoreFactory(external_id="JD-778899", name="王记旗舰店")
    ReviewFactory(
        provider=provider, store=store, author=author, rating=4, effect=5, communication=3, professionalism=4,
        responsiveness=2, title="效果明显", body="双十一GMV翻倍。", created_at=dt.date(2025, 6, 12), verified=True,
        reply="感谢认可！", replied_at=timezone.now(),
    )
    ReviewFactory(provider=provider, title="待审核的评价", status=Review.Status.PENDING)
    for day in range(1, 11):
        ReviewFactory(provider=provider, title=f"五月评价{day}", created_at=dt.date(2025, 5, day))

    html = detail(client, "xinghai").content.decode()

    assert "效果明显" in html and "双十一GMV翻倍。" in html
    assert "2025-06-12" in html
    assert "已验证合作" in html
    assert "感谢认可！" in html
    for label in ("运营效果", "沟通", "专业度", "响应速度"):
        assert label in html
    assert "待审核的评价" not in html
    assert "五月评价10" in html and "五月评价2" in html
    assert "五月评价1<" not in html  # the 11th newest published review is cut
    for private in ("merchant_wang", "wang@shop.example.com", "JD-778899", "王记旗舰店"):
        assert private not in html


def test_provider_page_shows_the_latest_snapshot_and_its_explanation(client, provider):
    ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 5, 1), composite=Decimal("3.99"))
    ScoreSnapshotFactory(
        provider=provider, period=dt.date(2025, 6, 1), review_score=Decimal("4.4321"),
        performance_score=Decimal("4.7000"), composite=Decimal("4.59"), active_stores=21, excellent_stores=6,
        tier=5,
        explanation={
            "gates": [
                {
                    "tier": 6, "met": False,
                    "checks": [
                        {"name": "composite", "value": "4.59", "threshold": "4.70", "met": False},
                        {"name": "services", "value": ["warehousing"], "threshold": ["warehousing", "cross_border"],
                         "met": False, "missing": ["cross_border"]},
                    ],
                },
                {
                    "tier": 5, "met": True,
                    "checks": [{"name": "active_stores", "value": 21, "threshold": 20, "met": True}],
                },
            ],
            "next_tier": {
                "tier": 6,
                "missing": [
                    {"name": "composite", "short_by": "0.11", "text": "综合分还差 0.11", "text_en": "needs 0.11"},
                    "还需 9 家优秀店铺",
                    {"name": "services", "missing": ["cross_border"], "text": "需要服务：cross_border"},
                ],
            },
        },
    )

    html = detail(client, "xinghai").content.decode()

    assert "2025-06 评级" in html
    assert "2025-05 评级" not in html
    for text in ("4.43", "4.70", "4.59", "21", "6", "星级门槛", "六星", "已达标", "未达标",
                 "仓储物流、跨境电商", "综合分还差 0.11", "还需 9 家优秀店铺", "必备服务：跨境电商"):
        assert text in html, text


@pytest.mark.parametrize(
    "explanation",
    [{}, [], "broken", {"gates": "x"}, {"gates": [1, None, {"checks": "x"}]}, {"next_tier": {"tier": "6"}}],
)
def test_provider_page_renders_with_a_malformed_explanation(client, provider, explanation):
    ScoreSnapshotFactory(provider=provider, explanation=explanation)

    response = detail(client, "xinghai")

    assert response.status_code == 200
    assert "升至下一星级" not in response.content.decode()


def test_unknown_provider_is_404(client, db):
    assert detail(client, "no-such-provider").status_code == 404


@pytest.mark.parametrize(
    ("status", "label"),
    [(Provider.Status.DELISTED, "已清退"), (Provider.Status.SUSPENDED, "已暂停"), (Provider.Status.PROBATION, "考察期")],
)
def test_provider_page_states_a_non_active_status(client, db, status, label):
    ProviderFactory(slug="p", status=status)

    response = detail(client, "p")

    assert response.status_code == 200
    assert label in response.content.decode()


def test_provider_page_query_count_is_bounded(client, provider, django_assert_max_num_queries):
    ScoreSnapshotFactory(provider=provider)
    for day in range(1, 15):
        ReviewFactory(provider=provider, created_at=dt.date(2025, 6, day))
        EngagementFactory(provider=provider)

    # provider, 3 prefetches, snapshot, service names, active stores, review count + page, trend, store performance,
    # review platforms and summary (the reviews here have no engagement to load), platform credentials and published
    # cases (profiles.selectors.provider_showcase: +2, +1 more when a published case links a store), the
    # response statistics (inquiries.selectors: +1), the conduct summary (conduct.selectors: +1)
    with django_assert_max_num_queries(17):
        assert detail(client, "xinghai").status_code == 200


# Chart, store performance, reviews -------------------------------------------------------------------------------


def test_provider_page_draws_a_12_month_trend_chart_without_javascript(client, provider):
    for month in range(1, 13):
        ScoreSnapshotFactory(provider=provider, period=dt.date(2025, month, 1), as_of=dt.date(2025, month, 28),
                             composite=Decimal("4.00") + Decimal(month) / 20 if month != 5 else None,
                             tier=4 if month < 8 else 5)
    ScoreSnapshotFactory(provider=provider, period=dt.date(2024, 12, 1), composite=Decimal("3.10"))

    html = detail(client, "xinghai").content.decode()

    assert "<svg" in html and "<script" not in html
    # Drawn twice, wide and compact (CSS shows one): every count below is two drawings' worth.
    assert html.count('class="trend__dot"') == 2 * 11  # May 2025 was unrated
    assert html.count("<polyline") == 2 * 2  # the line breaks at the unrated month
    assert html.count('<g class="trend__gap" data-period="2025-05">') == 2
    assert "25-01" in html and "25-12" in html and "24-12" not in html
    assert html.count(">5★</text>") == 2 * 5 and html.count(">4★</text>") == 2 * 7
    assert "<th scope=\"row\">2025-05</th><td>未评级（无店铺表现数据）</td>" in html
    assert "2025-05 未评级：当月没有店铺表现数据，不评定星级，折线在此断开。" in html


def test_provider_page_aggregates_store_performance_over_three_or_more_stores(client, provider):
    from tests.factories import StorePerformanceFactory

    today = timezone.localdate()
    month = today.replace(day=1)
    for product in ("4.00", "4.50", "5.00"):
        store = StoreFactory()
        EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=200))
        StorePerformanceFactory(store=store, period=month, product_score=Decimal(product),
                                on_time_ship_rate=Decimal("0.9500"), complaint_rate=Decimal("0.0030"))

    html = detail(client, "xinghai").content.decode()

    assert "3 家在营店铺" in html
    assert "<dd>4.50</dd>" in html  # average product score
    assert "95.0%" in html and "0.30%" in html
    assert "S000" not in html  # no store ids


def test_provider_page_hides_store_performance_of_fewer_than_three_stores(client, provider):
    from tests.factories import StorePerformanceFactory

    today = timezone.localdate()
    for _ in range(2):
        store = StoreFactory()
        EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=200))
        StorePerformanceFactory(store=store, period=today.replace(day=1), product_score=Decimal("3.33"))

    html = detail(client, "xinghai").content.decode()

    assert "不公开汇总" in html
    assert "3.33" not in html


@pytest.mark.parametrize(
    ("sort", "first"),
    # ratings are 1 + day % 5: the 5s are days 4 and 9, the 1s days 5 and 10; ties go newest first
    [("newest", "评价12"), ("oldest", "评价1"), ("highest", "评价9"), ("lowest", "评价10"), ("bogus", "评价12")],
)
def test_provider_reviews_sort_and_page(client, provider, sort, first):
    for day in range(1, 13):
        ReviewFactory(provider=provider, title=f"评价{day}", created_at=dt.date(2025, 6, day), rating=1 + day % 5)

    response = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"}), {"sort": sort})

    titles = [review.title for review in response.context["reviews"]]
    assert len(titles) == 10
    assert titles[0] == first
    second = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"}), {"sort": sort, "page": "2"})
    assert len(second.context["reviews"].object_list) == 2
    assert set(titles).isdisjoint(r.title for r in second.context["reviews"])


def test_provider_page_explains_the_review_score_beside_the_plain_average(client, provider):
    ScoreSnapshotFactory(provider=provider, review_score=Decimal("4.4321"), review_count=12,
                         review_average=Decimal("4.58"))

    html = detail(client, "xinghai").content.decode()

    assert "4.43" in html
    assert "平均 4.6 分 · 基于 12 条已验证评价" in html
    assert "S = 0.4 × R + 0.6 × P" in html


def test_merchant_with_an_engagement_sees_the_write_a_review_button(client, provider):
    from tests.factories import merchant_of

    store = StoreFactory()
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    create = reverse("ratings:create", kwargs={"slug": "xinghai"})

    assert create not in detail(client, "xinghai").content.decode()
    client.force_login(merchant_of(StoreFactory()))
    assert create not in detail(client, "xinghai").content.decode()
    client.force_login(merchant_of(store))
    assert create in detail(client, "xinghai").content.decode()


def test_signed_in_provider_page_query_count_is_bounded(client, provider, django_assert_max_num_queries):
    from tests.factories import merchant_of

    store = StoreFactory()
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    ScoreSnapshotFactory(provider=provider)
    for day in range(1, 15):
        ReviewFactory(provider=provider, created_at=dt.date(2025, 6, day))
    client.force_login(merchant_of(store))

    # the anonymous 17, plus session, user, reviewable engagements, membership
    with django_assert_max_num_queries(21):
        assert detail(client, "xinghai").status_code == 200


# Anonymous page cache ----------------------------------------------------------------------------------------------


def test_anonymous_provider_page_is_served_from_the_cache(client, provider, cache_on, django_assert_num_queries):
    ReviewFactory(provider=provider, title="效果明显")
    first = detail(client, "xinghai").content.decode()
    Provider.objects.filter(pk=provider.pk).update(name="改名后的星海")

    with django_assert_num_queries(0):
        html = detail(client, "xinghai").content.decode()

    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # a fresh mask of the token per response
    assert unmasked.sub("", html) == unmasked.sub("", first)
    assert "<title>星海电商 · 代运营服务商目录</title>" in html and "效果明显" in html


def test_cached_provider_page_keeps_each_visitors_own_compare_actions(provider, cache_on):
    from django.test import Client

    shortlister, newcomer = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    shortlister.get(LIST_URL)  # a session cookie with a CSRF token
    shortlister.post(reverse("providers:compare_change"), {
        "slug": "xinghai", "action": "add", "csrfmiddlewaretoken": shortlister.cookies["csrftoken"].value,
    })
    newcomer_html = detail(newcomer, "xinghai").content.decode()  # fills the cache

    shortlister_html = detail(shortlister, "xinghai").content.decode()

    assert "查看对比（1）" in shortlister_html and 'name="action" value="add"' not in shortlister_html
    assert "查看对比" not in newcomer_html and 'name="action" value="add"' in newcomer_html
    assert "合作过的商家请登录后评价" in newcomer_html and "/accounts/login/?next=/providers/xinghai/" in newcomer_html


def test_a_provider_reply_refreshes_the_cached_provider_page(client, provider, cache_on,
                                                           django_capture_on_commit_callbacks):
    from ratings.services import review_reply

    review = ReviewFactory(provider=provider, title="效果明显")
    assert "感谢认可" not in detail(client, "xinghai").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        review_reply(review=review, author=provider_staff(provider), body="感谢认可，请拨打 13812345678")

    assert "感谢认可，请拨打 138********" in detail(client, "xinghai").content.decode()


def test_members_get_their_provider_page_fresh_with_reply_links(client, provider, cache_on):
    review = ReviewFactory(provider=provider, title="效果明显")
    detail(client, "xinghai")  # cached for anonymous visitors, without reply links
    client.force_login(provider_staff(provider))

    html = detail(client, "xinghai").content.decode()

    assert reverse("ratings:reply", kwargs={"pk": review.pk}) in html


def test_an_unknown_provider_is_not_cached(client, db, cache_on):
    assert detail(client, "later").status_code == 404
    ProviderFactory(slug="later")

    assert detail(client, "later").status_code == 200


def test_provider_page_says_whether_the_provider_accepts_new_clients(client, provider):
    assert "<dt>接受新客户</dt><dd>是</dd>" in detail(client, "xinghai").content.decode()

    Provider.objects.filter(pk=provider.pk).update(accepting_new_clients=False)

    assert "<dt>接受新客户</dt><dd>暂不接受</dd>" in detail(client, "xinghai").content.decode()
