import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from providers.presenters import explanation_display, fee_range_display
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


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    """Factories write rows without bumping the ratings generation, so pages are rendered fresh here.

    The cache itself is tested below with it switched back on.
    """
    settings.DIRECTORY_CACHE_SECONDS = 0


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
    assert "4.6 · 120 条计分评价" in html
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
    # Only vendored script files, no inline script (the CSP forbids it): the compare tray's small enhancement.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/compare.js" defer>']


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

    # provider, 3 prefetches, snapshot, service names, active stores, review count + page, trend, store performance
    with django_assert_max_num_queries(11):
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


# Directory: sort, fee range, search ranking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["xinghai", "yunfan", "qinghe"]),
        ("tier", ["xinghai", "yunfan", "qinghe"]),
        ("reviews", ["xinghai", "yunfan", "qinghe"]),
        ("fee", ["xinghai", "qinghe", "yunfan"]),
        ("fee_desc", ["qinghe", "yunfan", "xinghai"]),
        ("name", ["yunfan", "星海", "青禾"]),
    ],
)
def test_directory_sorts(client, demo, sort, expected):
    Provider.objects.filter(slug="yunfan").update(fee_min=Decimal("20000"), fee_max=Decimal("40000"), name="云帆运营")
    Provider.objects.filter(slug="qinghe").update(fee_min=Decimal("10000"), fee_max=Decimal("50000"))

    slugs = listed_slugs(client.get(LIST_URL, {"sort": sort}))

    if sort == "name":  # Chinese names sort by code point: 云 (U+4E91) < 星 (U+661F) < 青 (U+9752)
        expected = ["yunfan", "xinghai", "qinghe"]
    assert slugs == expected


def test_directory_sort_by_name_uses_english_names_on_english_pages(client, demo):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    assert listed_slugs(client.get(LIST_URL, {"sort": "name"})) == ["qinghe", "xinghai", "yunfan"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fee_from": "5000", "fee_to": "9000"}, ["xinghai"]),  # 8k–30k overlaps a 5k–9k budget; 10k–30k does not
        ({"fee_from": "31000"}, []),
        ({"fee_to": "10000"}, ["xinghai", "yunfan", "qinghe"]),
        ({"fee_from": "-1"}, []),  # invalid: shown as an error
    ],
)
def test_directory_fee_range_keeps_providers_whose_fees_overlap_the_budget(client, demo, params, expected):
    assert listed_slugs(client.get(LIST_URL, params)) == expected


def test_directory_search_puts_name_matches_before_description_matches(client, db):
    ProviderFactory(slug="desc-match", name="甲公司", description="我们是服饰电商专家", score=Decimal("4.90"))
    ProviderFactory(slug="name-match", name="服饰电商之家", score=Decimal("3.60"))

    assert listed_slugs(client.get(LIST_URL, {"q": "服饰电商"})) == ["name-match", "desc-match"]
    assert listed_slugs(client.get(LIST_URL, {"q": "服饰电商", "sort": "score"})) == ["desc-match", "name-match"]


def test_directory_search_matches_chinese_and_english_descriptions(client, demo):
    Provider.objects.filter(slug="yunfan").update(description="专注抖音直播", description_en="Douyin live commerce")

    assert listed_slugs(client.get(LIST_URL, {"q": "抖音直播"})) == ["yunfan"]
    assert listed_slugs(client.get(LIST_URL, {"q": "live COMMERCE"})) == ["yunfan"]


def test_directory_filters_live_in_the_query_string_and_the_form_keeps_them(client, demo):
    html = client.get(LIST_URL, {"tier": "5", "platform": "douyin", "sort": "fee", "q": "云帆"}).content.decode()

    assert 'method="get"' in html
    assert '<option value="5" selected>' in html
    assert '<option value="douyin" selected>' in html
    assert '<option value="fee" selected>' in html
    assert 'value="云帆"' in html


def test_directory_card_offers_add_to_compare(client, demo):
    html = client.get(LIST_URL).content.decode()

    assert '<input type="checkbox" name="p" value="xinghai" form="compare-form">' in html
    assert 'id="compare-form"' in html and f'action="{reverse("providers:compare")}"' in html


def test_directory_and_cards_switch_to_english(client, demo):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    html = client.get(LIST_URL).content.decode()

    assert '<html lang="en">' in html
    assert "Provider directory" in html
    assert ">Xinghai Commerce</a>" in html
    assert "Tmall, JD" in html
    assert "Warehousing" in html and "Cross-border" in html
    assert "Six stars" in html
    assert "4.6 · 120 scored reviews" in html
    assert "服务商目录" not in html


# Anonymous page cache ----------------------------------------------------------------------------------------------


@pytest.fixture
def cache_on(settings):
    """The page cache switched on, starting a new ratings generation (Redis keeps pages from earlier tests)."""
    from providers.cache import directory_cache_bump

    settings.DIRECTORY_CACHE_SECONDS = 600
    directory_cache_bump()


def test_anonymous_directory_is_served_from_the_cache(client, demo, cache_on, django_assert_num_queries):
    client.get(LIST_URL, {"tier": "6"})
    Provider.objects.filter(slug="xinghai").update(name="改名后的星海")

    with django_assert_num_queries(0):
        html = client.get(LIST_URL, {"tier": "6"}).content.decode()
    assert "星海电商" in html and "改名后的星海" not in html


def test_a_new_filter_combination_reuses_the_cached_cards(client, demo, cache_on, django_assert_num_queries):
    first = client.get(LIST_URL, {"tier": "6"}).content.decode()
    Provider.objects.filter(slug="xinghai").update(name="改名后的星海")

    # Another query string is another page: its form, count and order are fresh, but the card is the one
    # rendered for the first page, so neither the card nor its platforms and services are fetched again.
    # The page of providers with its count, and the platform, category and service choices of the form.
    with django_assert_num_queries(4):
        html = client.get(LIST_URL, {"tier": "6", "sort": "name"}).content.decode()
    card = first[first.index('<article class="card provider-card'):first.index("</article>") + len("</article>")]
    assert card in html and "改名后的星海" not in html


def test_cards_are_cached_per_language(client, demo, cache_on):
    client.get(LIST_URL, {"tier": "6"})
    client.cookies.load({"django_language": "en"})

    html = client.get(LIST_URL, {"tier": "6"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<a href="/providers/xinghai/">Xinghai Commerce</a>' in html


def test_a_provider_edited_in_the_admin_is_shown_fresh(client, admin_client, demo, cache_on,
                                                       django_capture_on_commit_callbacks):
    assert "星海电商" in client.get(LIST_URL).content.decode()
    change = reverse("admin:providers_provider_change", args=[demo["xinghai"].pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({
        "name": "改名后的星海", "platforms": [p.pk for p in demo["xinghai"].platforms.all()],
        "categories": [c.pk for c in demo["xinghai"].categories.all()],
        "services": [s.pk for s in demo["xinghai"].services.all()], "members": [],
    })

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    html = client.get(LIST_URL).content.decode()
    assert "改名后的星海" in html and "星海电商" not in html


def test_cached_directory_is_refreshed_when_ratings_are_recomputed(
    client, demo, cache_on, django_capture_on_commit_callbacks
):
    from ratings.services import ratings_recompute

    client.get(LIST_URL)
    Provider.objects.filter(slug="xinghai").update(name="改名后的星海")
    assert "改名后的星海" not in client.get(LIST_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        ratings_recompute(as_of=dt.date(2025, 6, 30), provider_ids=[demo["qinghe"].pk])

    assert "改名后的星海" in client.get(LIST_URL).content.decode()


def test_cached_directory_is_kept_per_language(client, demo, cache_on):
    assert "服务商目录" in client.get(LIST_URL).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    html = client.get(LIST_URL).content.decode()

    assert "Filter" in html and "筛选" not in html


def test_signed_in_users_get_fresh_directory_pages(client, demo, cache_on):
    client.force_login(UserFactory())
    client.get(LIST_URL)
    Provider.objects.filter(slug="xinghai").update(name="改名后的星海")

    assert "改名后的星海" in client.get(LIST_URL).content.decode()


def test_cached_page_carries_a_fresh_csrf_token_for_the_language_form(demo, cache_on):
    from django.test import Client

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(LIST_URL)
    html = second.get(LIST_URL).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]

    response = second.post(reverse("set_language"), {"language": "en", "next": LIST_URL, "csrfmiddlewaretoken": token})

    assert response.status_code == 302


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


# Home --------------------------------------------------------------------------------------------------------------


def test_home_shows_tier_rules_top_providers_per_tier_and_platform_and_a_search_box(client, demo):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/providers/"' in html and 'name="q"' in html
    for text in ("星级的含义", "综合分 ≥ 4.70", "在营店铺 ≥ 50", "优秀店铺 ≥ 15", "必备服务：", "头部服务商"):
        assert text in html, text
    top_by_tier = response.context["by_tier"] if "by_tier" in response.context else None
    assert top_by_tier is None or [p.slug for p in top_by_tier[6]] == ["xinghai"]
    assert html.index("星海电商") < html.index("云帆运营")
    assert "青禾品牌管理" in html  # 3★ on probation is still listed
    assert "北辰科技" not in html and "南山网络" not in html


def test_home_top_lists_keep_three_per_tier(client, db):
    for index, score in enumerate(["4.90", "4.80", "4.75", "4.72"]):
        ProviderFactory(slug=f"top{index}", name=f"顶尖{index}", tier=6, score=Decimal(score), platforms=["tmall"])

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert "顶尖0" in html and "顶尖2" in html and "顶尖3" not in html


def test_home_query_count_is_fixed(client, db, django_assert_max_num_queries):
    for index in range(12):
        ProviderFactory(tier=3 + index % 4, score=Decimal("4.00"), platforms=["tmall", "jd"])

    # policy, gates, gate services, top per tier, top per platform
    with django_assert_max_num_queries(5):
        assert client.get(reverse("home")).status_code == 200


# Provider page: chart, store performance, reviews ------------------------------------------------------------------


def test_provider_page_draws_a_12_month_trend_chart_without_javascript(client, provider):
    for month in range(1, 13):
        ScoreSnapshotFactory(provider=provider, period=dt.date(2025, month, 1), as_of=dt.date(2025, month, 28),
                             composite=Decimal("4.00") + Decimal(month) / 20 if month != 5 else None,
                             tier=4 if month < 8 else 5)
    ScoreSnapshotFactory(provider=provider, period=dt.date(2024, 12, 1), composite=Decimal("3.10"))

    html = detail(client, "xinghai").content.decode()

    assert "<svg" in html and "<script" not in html
    assert html.count('class="trend__dot"') == 11  # May 2025 was unrated
    assert html.count("<polyline") == 2  # the line breaks at the unrated month
    assert "25-01" in html and "25-12" in html and "24-12" not in html
    assert html.count(">5★</text>") == 5 and html.count(">4★</text>") == 7
    assert "<th scope=\"row\">2025-05</th><td>未评级</td>" in html


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

    # the anonymous 11, plus session, user, reviewable engagements, membership
    with django_assert_max_num_queries(15):
        assert detail(client, "xinghai").status_code == 200


# Compare -----------------------------------------------------------------------------------------------------------

COMPARE_URL = reverse("providers:compare")


def test_compare_shows_providers_side_by_side_and_highlights_the_best(client, demo):
    ScoreSnapshotFactory(provider=demo["xinghai"], period=dt.date(2025, 6, 1), active_stores=60, excellent_stores=20,
                         review_score=Decimal("4.6000"), performance_score=Decimal("4.9000"))
    ScoreSnapshotFactory(provider=demo["yunfan"], period=dt.date(2025, 6, 1), active_stores=25, excellent_stores=6,
                         review_score=Decimal("4.3000"), performance_score=Decimal("4.7000"))
    Provider.objects.filter(slug__in=["xinghai", "yunfan"]).update(rated_period=dt.date(2025, 6, 1))

    response = client.get(COMPARE_URL, {"p": "xinghai,yunfan,qinghe"})

    assert response.status_code == 200
    assert [p.slug for p in response.context["providers"]] == ["xinghai", "yunfan", "qinghe"]
    rows = {row["key"]: row for row in response.context["rows"]}
    assert [c["best"] for c in rows["score"]["cells"]] == [True, False, False]
    assert [c["text"] for c in rows["score"]["cells"]] == ["4.85", "4.55", "3.40"]
    assert [c["text"] for c in rows["active_stores"]["cells"]] == ["60", "25", "—"]
    assert [c["best"] for c in rows["active_stores"]["cells"]] == [True, False, False]
    assert [c["best"] for c in rows["fee"]["cells"]] == [True, False, False]  # lowest fee is best
    assert [c["text"] for c in rows["platforms"]["cells"]] == ["天猫、京东", "抖音", "淘宝"]
    html = response.content.decode()
    assert "最优" in html and "星海电商" in html and "青禾品牌管理" in html
    assert client.session["compare"] == ["xinghai", "yunfan", "qinghe"]


def test_compare_ticked_boxes_redirect_to_the_shareable_address(client, demo):
    response = client.get(COMPARE_URL, {"p": ["xinghai", "yunfan"]})

    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE_URL}?p=xinghai%2Cyunfan"


def test_compare_keeps_at_most_four(client, db):
    for index in range(5):
        ProviderFactory(slug=f"p{index}")

    response = client.get(COMPARE_URL, {"p": "p0,p1,p2,p3,p4"}, follow=True)

    assert response.redirect_chain == [(f"{COMPARE_URL}?p=p0%2Cp1%2Cp2%2Cp3", 302)]
    assert len(response.context["providers"]) == 4
    assert "最多同时对比 4 家服务商" in response.content.decode()


def test_compare_without_providers_offers_the_directory(client, db):
    html = client.get(COMPARE_URL).content.decode()

    assert "还没有选择要对比的服务商" in html


def test_compare_ignores_unknown_slugs(client, demo):
    response = client.get(COMPARE_URL, {"p": "xinghai,nobody"})

    assert [p.slug for p in response.context["providers"]] == ["xinghai"]
    assert "nobody" in response.content.decode()


def test_add_to_compare_from_the_provider_page_keeps_the_shortlist_in_the_session(client, demo):
    change = reverse("providers:compare_change")
    page = reverse("providers:detail", kwargs={"slug": "xinghai"})

    response = client.post(change, {"slug": "xinghai", "next": page})
    client.post(change, {"slug": "yunfan", "next": "https://evil.example.com/"})

    assert response["Location"] == page
    assert client.session["compare"] == ["xinghai", "yunfan"]
    assert client.get(COMPARE_URL)["Location"] == f"{COMPARE_URL}?p=xinghai%2Cyunfan"
    assert "yunfan" in client.get(LIST_URL).content.decode().split('id="compare-form"', 1)[1]
    client.post(change, {"slug": "xinghai", "action": "remove"})
    assert client.session["compare"] == ["yunfan"]


def test_the_directory_tray_removes_a_shortlisted_provider(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(LIST_URL)
    token = lambda: client.cookies["csrftoken"].value  # noqa: E731
    client.post(reverse("providers:compare_change"), {"slug": "xinghai", "csrfmiddlewaretoken": token()})
    client.post(reverse("providers:compare_change"), {"slug": "yunfan", "csrfmiddlewaretoken": token()})
    tray = client.get(LIST_URL, {"tier": "5"}).content.decode().split('id="compare-form"', 1)[1]

    assert 'form="compare-remove-form" name="slug" value="xinghai"' in tray
    assert '<span class="visually-hidden">移出对比 星海电商</span>' in tray
    assert 'name="next" value="/providers/?tier=5"' in tray and 'name="csrfmiddlewaretoken"' in tray
    response = client.post(reverse("providers:compare_change"), {
        "slug": "xinghai", "action": "remove", "next": "/providers/?tier=5", "csrfmiddlewaretoken": token(),
    })

    assert response["Location"] == "/providers/?tier=5"
    assert client.session["compare"] == ["yunfan"]


def test_add_to_compare_requires_post_and_csrf(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("providers:compare_change")).status_code == 405
    assert client.post(reverse("providers:compare_change"), {"slug": "xinghai"}).status_code == 403


def test_compare_query_count_is_fixed(client, db, django_assert_max_num_queries):
    for index in range(4):
        provider = ProviderFactory(slug=f"p{index}", platforms=["tmall"], services=["operation"],
                                   rated_period=dt.date(2025, 6, 1))
        ScoreSnapshotFactory(provider=provider)

    # providers, 3 prefetches, snapshots, service names; saving the shortlist: session lookup, savepoint, insert, release
    with django_assert_max_num_queries(10):
        assert client.get(COMPARE_URL, {"p": "p0,p1,p2,p3"}).status_code == 200


# Tier rules --------------------------------------------------------------------------------------------------------


def test_tiers_page_is_generated_from_the_active_policy(client, db):
    from ratings.models import RatingPolicy

    policy = RatingPolicy.objects.get(is_active=True)
    response = client.get(reverse("ratings:tiers"))

    html = response.content.decode()
    for text in ("现行规则 v1", "S = 0.4 × 评价分 R + 0.6 × 表现分 P", "每过 180 天减半", "额外 5 条 3.50 分的评价",
                 "E = 0.5 × 商品体验分 + 0.2 × 物流体验分 + 0.3 × 服务体验分", "最近 3 个月", "E ≥ 4.50",
                 "连续 2 个月低于当前星级门槛才降级", "低于 3.50", "仓储物流、分销", "<td>4.70</td>", "<td>50</td>"):
        assert text in html, text

    policy.gates.filter(tier=6).update(min_score=Decimal("4.80"))
    policy.half_life_days = 90
    policy.save()
    html = client.get(reverse("ratings:tiers")).content.decode()
    assert "<td>4.80</td>" in html and "<td>4.70</td>" not in html
    assert "每过 90 天减半" in html


def test_tiers_page_says_a_taken_over_store_is_judged_on_its_new_providers_months(client, db):
    # The engine reads a store's latest row among the months the provider ran it (tests/ratings/test_services.py).
    html = client.get(reverse("ratings:tiers")).content.decode()
    assert "只看本服务商运营该店铺的月份" in html and "从其他服务商接手的店铺只看接手以来的月份" in html

    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("ratings:tiers"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "counting only months in which this provider ran the store" in html
    assert "A store taken over from another provider is judged only on its months since the takeover." in html


def test_tiers_page_query_count_is_fixed(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("ratings:tiers")).status_code == 200


# Message catalogs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_message_catalog_translates_every_message_and_is_compiled(language):
    import gettext
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES"
    entries = (folder / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]  # the header comes first
    empty = [entry for entry in entries if entry.strip() and entry.rstrip().endswith(('msgstr ""', '] ""'))]
    assert empty == []
    compiled = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    assert compiled.gettext("服务商目录") == ("Provider directory" if language == "en" else "服务商目录")
    # The .mo holds every message of the .po: run `manage.py compilemessages` after editing a catalog.
    plural_forms = 2 if language == "en" else 1
    plurals = sum(1 for entry in entries if "\nmsgid_plural " in entry)
    singles = sum(1 for entry in entries if "\nmsgid " in f"\n{entry}") - plurals
    assert len(compiled._catalog) == 1 + singles + plurals * plural_forms  # 1: the header


def test_cached_directory_is_refreshed_when_providers_are_imported(client, demo, cache_on,
                                                                   django_capture_on_commit_callbacks):
    from ingest.services import import_providers
    from tests.factories import provider_row

    client.get(LIST_URL)
    with django_capture_on_commit_callbacks(execute=True):
        import_providers(rows=[provider_row(slug="xinghai", name="星海电商（新名）", platforms="tmall", services="",
                                            categories="")])

    assert "星海电商（新名）" in client.get(LIST_URL).content.decode()


# Demo accounts -----------------------------------------------------------------------------------------------------


def test_demo_accounts_command_links_a_merchant_to_reviewable_stores_and_staff_to_the_top_provider(demo):
    from django.core.management import call_command

    for slug in ("xinghai", "yunfan"):
        EngagementFactory(provider=demo[slug], start_date=dt.date(2024, 1, 1))

    import io

    call_command("demo_accounts", password="demo-pass-1", stores=2, stdout=io.StringIO())

    from django.contrib.auth import get_user_model

    merchant = get_user_model().objects.get(username="demo_merchant")
    staff = get_user_model().objects.get(username="demo_provider")
    assert merchant.check_password("demo-pass-1")
    assert sorted(Provider.objects.filter(engagements__store__merchants=merchant).values_list("slug", flat=True)) == [
        "xinghai", "yunfan",
    ]
    assert list(staff.provider_memberships.values_list("slug", flat=True)) == ["xinghai"]
