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
