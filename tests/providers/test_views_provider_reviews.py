"""The reviews section of a provider's page: distribution, dimension averages, context from the engagement,
filters by rating, platform and keyword, numbered pages; never the store's name, never a hidden phone number."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from ratings.models import Review
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    category,
    platform,
    service,
)

DETAIL = reverse("providers:detail", kwargs={"slug": "xinghai"})


@pytest.fixture
def reviewed(db):
    """Three published reviews from stores on three platforms, one pending, one of another provider."""
    provider = ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce")
    tmall = StoreFactory(name="甲乙旗舰店", platform=platform("tmall"), category=category("apparel"))
    running = EngagementFactory(provider=provider, store=tmall, start_date=dt.date(2024, 1, 10))
    running.services.set([service("warehousing"), service("operation")])
    ReviewFactory(provider=provider, store=tmall, rating=5, effect=5, communication=4, title="运营很稳",
                  body="有事打 13812345678 找店长。", created_at=dt.date(2025, 6, 1))
    jd = StoreFactory(name="丙丁专卖店", platform=platform("jd"), category=category("beauty"))
    ended = EngagementFactory(provider=provider, store=jd, start_date=dt.date(2023, 3, 1), end_date=dt.date(2024, 9, 30))
    ended.services.set([service("design")])
    ReviewFactory(provider=provider, store=jd, rating=3, effect=3, communication=2, professionalism=4,
                  title="设计一般", body="改稿慢。", created_at=dt.date(2024, 8, 1))
    douyin = StoreFactory(name="戊己小店", platform=platform("douyin"), category=None)
    ReviewFactory(provider=provider, store=douyin, rating=4, title="直播效果不错", body="场观涨了。",
                  created_at=dt.date(2025, 5, 1))
    ReviewFactory(provider=provider, rating=1, status=Review.Status.PENDING, title="待审核的差评")
    ReviewFactory(rating=1, title="别家的评价")
    return provider


def reviews_html(client, **query) -> str:
    html = client.get(DETAIL, query).content.decode()
    return html[html.index('id="reviews"'):]


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="review__title">([^<]*)</h3>', html)


def test_distribution_and_dimension_averages_count_published_reviews_only(client, reviewed):
    html = reviews_html(client)

    assert "商家评价（3）" in html
    bars = re.findall(r'distribution__label">(\d) 星</span>.*?<rect class="distribution__fill" width="(\d+)".*?distribution__value">([^<]*)</span>',
                      html, re.S)
    assert bars == [
        ("5", "33", "1 条（33%）"), ("4", "33", "1 条（33%）"), ("3", "33", "1 条（33%）"),
        ("2", "0", "0 条（0%）"), ("1", "0", "0 条（0%）"),
    ]
    averages = re.findall(r"<dt>([^<]*)</dt><dd><strong>([\d.]+)</strong> <span class=\"muted small\">([^<]*)</span>",
                          html)
    assert averages == [
        ("运营效果", "4.0", "/ 5 · 2 条评价打分"),
        ("沟通", "3.0", "/ 5 · 2 条评价打分"),
        ("专业度", "4.0", "/ 5 · 1 条评价打分"),
    ]


def test_each_review_shows_its_context_but_never_the_store(client, reviewed):
    html = reviews_html(client, sort="oldest")

    contexts = [
        re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", block)
        for block in re.findall(r'<dl class="review__context">(.*?)</dl>', html, re.S)
    ]
    assert contexts[0] == [
        ("平台", "京东"), ("店铺类目", "美妆个护"), ("合作时长", "2023-03 至 2024-09 · 18 个月"), ("所用服务", "视觉设计"),
    ]
    assert contexts[1] == [("平台", "抖音")]  # no category, no engagement: nothing made up
    assert contexts[2][:2] == [("平台", "天猫"), ("店铺类目", "服饰鞋包")]
    assert contexts[2][2][1].startswith("2024-01 至今 · ")
    assert contexts[2][3] == ("所用服务", "店铺运营、仓储物流")
    for store_name in ("甲乙旗舰店", "丙丁专卖店", "戊己小店"):
        assert store_name not in html
    assert "13812345678" not in html and "138********" in html


def test_context_is_in_english_on_english_pages(client, reviewed):
    client.cookies["django_language"] = "en"
    html = reviews_html(client, sort="oldest")

    assert "<dt>Platform</dt><dd>JD.com</dd>" in html
    assert "2023-03 to 2024-09 · 18 months" in html
    assert "Store operation, Warehousing" in html


@pytest.mark.parametrize(("query", "expected"), [
    ({"rating": "5"}, ["运营很稳"]),
    ({"rating": "3"}, ["设计一般"]),
    ({"platform": "douyin"}, ["直播效果不错"]),
    ({"platform": "jd", "rating": "5"}, []),
    ({"q": "直播"}, ["直播效果不错"]),
    ({"q": "店长"}, ["运营很稳"]),
    ({"q": "待审核"}, []),
    # The phone number is masked on the page, so searching for it (or part of it) finds nothing.
    ({"q": "13812345678"}, []),
    ({"q": "1381234"}, []),
    ({"q": "138"}, ["运营很稳"]),  # what the page shows: 138********
])
def test_reviews_filter_by_rating_platform_and_shown_keyword(client, reviewed, query, expected):
    html = reviews_html(client, **query)

    assert titles(html) == expected
    assert f"筛选出 {len(expected)} 条评价" in html


def test_platform_choices_are_those_behind_the_reviews_with_counts(client, reviewed):
    html = reviews_html(client)

    select = re.search(r'<select name="platform" id="review-platform">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select) == [
        ("", "全部平台"), ("douyin", "抖音 (1)"), ("jd", "京东 (1)"), ("tmall", "天猫 (1)"),
    ]


@pytest.mark.parametrize(("query", "error"), [
    ({"rating": "9"}, "选择一个有效的选项。 9 不在可用的选项中。"),
    ({"platform": "amazon"}, "选择一个有效的选项。 amazon 不在可用的选项中。"),
    ({"q": "长" * 51}, "关键词最多 50 个字（现在 51 个）。"),
])
def test_a_bad_filter_says_what_is_wrong_and_shows_no_reviews(client, reviewed, query, error):
    html = reviews_html(client, **query)

    assert f'<p class="field-error" role="alert">{error}</p>' in html
    assert titles(html) == []
    assert "商家评价（3）" in html  # the summary still describes every review


def test_reviews_have_numbered_pages_that_keep_the_filters(client, reviewed):
    for day in range(1, 23):
        ReviewFactory(provider=reviewed, rating=5, title=f"好评{day}", created_at=dt.date(2025, 1, day))

    html = reviews_html(client, rating="5", page="2")

    assert len(titles(html)) == 10
    assert re.findall(r'class="pagination__page[^"]*"[^>]*>(\d+)<', html) == ["1", "2", "3"]
    assert '<span class="pagination__page pagination__page--current" aria-current="page">2</span>' in html
    assert 'href="?rating=5&amp;page=3#reviews"' in html
    assert 'rel="prev" href="?rating=5&amp;page=1#reviews"' in html


def test_reviews_section_query_count_does_not_grow_with_the_page(client, reviewed, django_assert_num_queries):
    for day in range(1, 15):
        store = StoreFactory()
        EngagementFactory(provider=reviewed, store=store, start_date=dt.date(2024, 1, 1)).services.set(
            [service("operation")]
        )
        ReviewFactory(provider=reviewed, store=store, created_at=dt.date(2025, 1, day))

    # provider, 3 prefetches, snapshot (none yet), review platforms, review count + page, the page's engagements
    # + their services, the summary, active stores, store performance; platform credentials and published cases
    # (profiles), the conduct summary, the response statistics (inquiries)
    with django_assert_num_queries(17):
        assert client.get(DETAIL).status_code == 200
    # A keyword adds the one query that finds the candidates.
    with django_assert_num_queries(18):
        assert client.get(DETAIL, {"q": "服务"}).status_code == 200
