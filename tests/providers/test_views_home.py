"""The home page (providers.views.home_view): what the tiers mean, the top providers, a search box."""
from decimal import Decimal

from django.urls import reverse

from tests.factories import ProviderFactory


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


def test_home_platform_lists_follow_the_directory_order_untiered_never_above_tiered(client, db):
    # On tmall: an untiered provider with the best composite, a 6★ with a lower one, two 4★.
    ProviderFactory(slug="untiered", name="未定级", tier=None, score=Decimal("4.95"), platforms=["tmall"])
    ProviderFactory(slug="six", name="六星甲", tier=6, score=Decimal("4.71"), platforms=["tmall"])
    ProviderFactory(slug="four-a", name="四星甲", tier=4, score=Decimal("4.30"), platforms=["tmall"])
    ProviderFactory(slug="four-b", name="四星乙", tier=4, score=Decimal("4.40"), platforms=["tmall", "jd"])

    response = client.get(reverse("home"))

    lists = {platform.code: [p.slug for p in providers] for platform, providers in response.context["by_platform"]}
    assert lists == {"tmall": ["six", "four-b", "four-a"], "jd": ["four-b"]}
    html = response.content.decode()
    assert "先按星级从高到低，同一星级再按综合分 S" in html


def test_home_labels_every_figure(client, demo):
    html = client.get(reverse("home")).content.decode()

    platform_lists = html.split('id="top-platform-heading"', 1)[1]
    assert "综合分 4.85 · " in platform_lists
    assert '均分 4.6 · 120 条计分评价</span>' in platform_lists
    assert "暂无计分评价" in platform_lists  # qinghe has no scored review


def test_marks_are_explained_on_the_card_the_page_and_tiers(client, demo):
    listing = client.get(reverse("providers:list")).content.decode()
    page = client.get(reverse("providers:detail", kwargs={"slug": "yunfan"})).content.decode()
    tiers = client.get(reverse("ratings:tiers")).content.decode()

    for html in (listing, page):
        assert ('<summary class="mark mark--risk" title="已低于当前星级的门槛，星级暂时保留；连续低于门槛达到规定月数将降级。">'
                "降级预警</summary>") in html
        assert '<a href="/tiers/#marks">标记的含义</a>' in html
    assert '<summary class="mark mark--verified" title="目录管理员已核对这家服务商的企业信息。' in listing
    assert 'id="marks"' in tiers
    for text in ("已核验", "降级预警", "考察期", "均分 · N 条计分评价", "商家评价（N）"):
        assert text in tiers.split('id="marks"', 1)[1], text
    assert "条数可能多于计分评价" in page
