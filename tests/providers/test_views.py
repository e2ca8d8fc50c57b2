import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from providers.views import explanation_display, fee_range_display
from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    StoreFactory,
    UserFactory,
)

LIST_URL = reverse("providers:list")


@pytest.fixture
def demo(db):
    """A small directory: three listed providers (one on probation), one delisted, one suspended."""
    return {
        "xinghai": ProviderFactory(
            slug="xinghai", name="星海电商", name_en="Xinghai Commerce", city="杭州", tier=6, score=Decimal("4.85"),
            review_average=Decimal("4.63"), review_count=120, fee_min=Decimal("8000"), fee_max=Decimal("30000"),
            verified=True, platforms=["tmall", "jd"], services=["warehousing", "cross_border"],
            categories=["apparel"],
        ),
        "yunfan": ProviderFactory(
            slug="yunfan", name="云帆运营", name_en="Yunfan Operations", city="上海", tier=5, score=Decimal("4.55"),
            review_average=Decimal("4.40"), review_count=35, at_risk=True, platforms=["douyin"],
            services=["operation", "live_streaming"], categories=["food"],
        ),
        "qinghe": ProviderFactory(
            slug="qinghe", name="青禾品牌管理", name_en="Qinghe Brand Management", city="广州", tier=3,
            score=Decimal("3.40"), status=Provider.Status.PROBATION, platforms=["taobao"], services=["design"],
            categories=["beauty"],
        ),
        "beichen": ProviderFactory(
            slug="beichen", name="北辰科技", name_en="Beichen Tech", status=Provider.Status.DELISTED,
            platforms=["tmall"],
        ),
        "nanshan": ProviderFactory(
            slug="nanshan", name="南山网络", name_en="Nanshan Network", status=Provider.Status.SUSPENDED,
        ),
    }


def listed_slugs(response):
    return [provider.slug for provider in response.context["page"].object_list]


# Directory ---------------------------------------------------------------------------------------------------------


def test_directory_lists_listed_providers_best_score_first(client, demo):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_slugs(response) == ["xinghai", "yunfan", "qinghe"]
    html = response.content.decode()
    for name in ("星海电商", "Xinghai Commerce", "云帆运营", "青禾品牌管理"):
        assert name in html
    assert "北辰科技" not in html
    assert "南山网络" not in html


def test_directory_card_shows_rating_fees_platforms_services_and_marks(client, demo):
    html = client.get(LIST_URL).content.decode()

    assert "六星" in html and "★★★★★★" in html
    assert "4.85" in html
    assert "4.6 · 120 条评价" in html
    assert "¥8,000–¥30,000/月" in html
    for label in ("天猫", "京东", "抖音", "仓储物流", "跨境电商", "直播代播"):
        assert label in html
    assert html.count("降级预警") == 1  # 云帆 only
    assert html.count('class="mark mark--probation"') == 1  # 青禾 only
    assert reverse("providers:detail", kwargs={"slug": "xinghai"}) in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "6"}, ["xinghai"]),
        ({"tier": "3"}, ["qinghe"]),
        ({"platform": "douyin"}, ["yunfan"]),
        ({"platform": "tmall"}, ["xinghai"]),  # the delisted tmall provider stays out
        ({"category": "beauty"}, ["qinghe"]),
        ({"service": "warehousing"}, ["xinghai"]),
        ({"city": "上海"}, ["yunfan"]),
        ({"q": "星海"}, ["xinghai"]),
        ({"q": "yunfan"}, ["yunfan"]),
        ({"q": "Brand Management"}, ["qinghe"]),
        ({"min_score": "4.5"}, ["xinghai", "yunfan"]),
        ({"min_score": "4.85"}, ["xinghai"]),
        ({"tier": "5", "platform": "douyin", "service": "live_streaming"}, ["yunfan"]),
        ({"tier": "6", "platform": "douyin"}, []),
        ({"tier": "", "platform": "", "q": ""}, ["xinghai", "yunfan", "qinghe"]),
    ],
)
def test_directory_filters_narrow_to_exactly_the_matching_providers(client, demo, params, expected):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert listed_slugs(response) == expected


def test_directory_empty_state_offers_to_clear_the_filters(client, demo):
    html = client.get(LIST_URL, {"tier": "6", "platform": "douyin"}).content.decode()

    assert "没有符合条件的服务商" in html
    assert f'href="{LIST_URL}"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"tier": "abc"},
        {"platform": "unknown"},
        {"category": "<script>"},
        {"service": "nope"},
        {"min_score": "lots"},
        {"min_score": "1e999"},
        {"tier": "NaN"},
        {"tier": "4", "platform": "unknown"},
    ],
)
def test_directory_invalid_filter_values_show_errors_and_no_results(client, demo, params):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert listed_slugs(response) == []
    assert response.context["form"].errors
    html = response.content.decode()
    assert "部分筛选条件无效" in html
    assert "<script>" not in html.split("<body>", 1)[1]


@pytest.mark.parametrize("page", ["abc", "0", "999", "-1"])
def test_directory_out_of_range_page_numbers_do_not_fail(client, demo, page):
    response = client.get(LIST_URL, {"page": page})

    assert response.status_code == 200
    assert listed_slugs(response)


@pytest.mark.django_db
def test_directory_paginates_and_page_links_keep_the_filters(client):
    ProviderFactory.create_batch(23, city="杭州")
    ProviderFactory.create_batch(2, city="上海")

    first = client.get(LIST_URL, {"city": "杭州"})
    second = client.get(LIST_URL, {"city": "杭州", "page": "2"})

    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.count == 23
    assert 'href="?city=%E6%9D%AD%E5%B7%9E&amp;page=2"' in first.content.decode()
    assert len(second.context["page"].object_list) == 3
    assert set(listed_slugs(first)).isdisjoint(listed_slugs(second))
    assert 'href="?city=%E6%9D%AD%E5%B7%9E&amp;page=1"' in second.content.decode()


def _providers_with_relations(count):
    for _ in range(count):
        ProviderFactory(
            platforms=["tmall", "douyin"], services=["operation", "warehousing"], categories=["apparel"],
            tier=4, score=Decimal("4.20"), review_count=3, review_average=Decimal("4.33"),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"platform": "tmall", "service": "operation", "tier": "4"}])
def test_directory_query_count_does_not_grow_with_providers(client, params, django_assert_max_num_queries):
    _providers_with_relations(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST_URL, params).status_code == 200
    # count + page + 3 prefetches + 3 filter selects (+ 1 lookup per reference-data filter value)
    assert len(few.captured_queries) <= 8 + len(params)
    _providers_with_relations(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL, params)
    assert len(response.context["page"].object_list) == 20


def test_base_layout_has_language_switcher_nav_and_chinese_default(client, demo):
    html = client.get(LIST_URL).content.decode()

    assert '<html lang="zh-hans">' in html
    assert "代运营服务商目录" in html
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'value="en"' in html and 'value="zh-hans"' in html
    assert 'href="/api/docs/"' in html
    assert "/static/css/site.css" in html
    assert "<script" not in html


def test_language_switcher_switches_the_page_language(client, demo):
    response = client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert '<html lang="en">' in client.get(LIST_URL).content.decode()


# Star badge partial ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "stars", "label"), [(3, 3, "三星"), (4, 4, "四星"), (5, 5, "五星"), (6, 6, "六星")])
def test_star_badge_renders_the_tier(tier, stars, label):
    html = render_to_string("ratings/_stars.html", {"tier": tier})

    assert "★" * stars in html and "★" * (stars + 1) not in html
    assert label in html
    assert f"stars--{tier}" in html


@pytest.mark.parametrize("tier", [None, "", 0, 7])
def test_star_badge_without_a_valid_tier_says_not_rated(tier):
    html = render_to_string("ratings/_stars.html", {"tier": tier})

    assert "暂无星级" in html
    assert "★" not in html


# Provider page -----------------------------------------------------------------------------------------------------


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
        "天猫", "京东", "服饰鞋包", "美妆个护", "仓储物流", "店铺运营", "五星", "4.62", "4.5 · 2 条评价",
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
                 "仓储物流、跨境电商", "综合分还差 0.11", "还需 9 家优秀店铺", "需要服务：跨境电商"):
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

    # provider, 3 prefetches, snapshot, service names, active stores, reviews
    with django_assert_max_num_queries(8):
        assert detail(client, "xinghai").status_code == 200


# Presentation helpers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (Decimal("8000"), Decimal("30000"), "¥8,000–¥30,000/月"),
        (Decimal("1234567.50"), Decimal("1234567.50"), "¥1,234,568/月"),
        (Decimal("5000"), None, "¥5,000/月起"),
        (None, Decimal("20000"), "最高 ¥20,000/月"),
        (None, None, ""),
    ],
)
def test_fee_range_is_formatted_in_cny(low, high, expected):
    assert fee_range_display(low, high) == expected


def test_explanation_display_keeps_well_formed_parts_only():
    shown = explanation_display(
        {
            "gates": [{"tier": 9, "met": "yes", "checks": [{"name": "mystery", "value": {"a": 1}}, "junk"]}],
            "next_tier": {"tier": 4, "missing": [None, 3, {"text": 5}, "还需 1 家在营店铺"]},
        }
    )

    assert shown == {
        "gates": [{"tier": None, "met": False, "checks": [
            {"label": "mystery", "value": "", "threshold": "", "met": False},
        ]}],
        "next_tier": {"tier": 4, "missing": ["还需 1 家在营店铺"]},
    }
