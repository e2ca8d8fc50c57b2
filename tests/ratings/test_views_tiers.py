"""The tier rules page (ratings.views.policy_detail_view), generated from the active policy."""
from decimal import Decimal

from django.urls import reverse

LIST_URL = reverse("providers:list")


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})


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


def test_tiers_page_names_the_policy_version_only_in_english(client, db):
    english(client)

    html = client.get(reverse("ratings:tiers")).content.decode()

    assert "Rating policy v1 is in force. This page is generated from the rules the system uses" in html
    assert "默认规则" not in html


def test_tiers_page_keeps_the_policy_name_in_chinese(client, db):
    html = client.get(reverse("ratings:tiers")).content.decode()

    assert "现行规则 v1（默认规则 v1）。本页由系统正在使用的规则直接生成" in html
