"""Rough edges of issue #16 item 9: a favicon and a meta description on every page, and the directory's city box in
the page's language after switching language."""
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import ProviderFactory

LIST_URL = reverse("providers:list")


def meta_description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return found[0]


def city_box(html: str) -> str:
    return re.search(r'<input[^>]*name="city"[^>]*>', html).group(0)


def switch(client, language: str, next_url: str) -> str:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url}, follow=True)
    return response.content.decode()


@pytest.fixture
def provider(db):
    return ProviderFactory(
        slug="xihu", name="西湖电商", name_en="Xihu E-commerce", city="杭州",
        description="西湖电商成立于2015年，总部位于杭州，专注天猫平台的美妆类目代运营。" * 5,
        description_en="Xihu E-commerce runs beauty stores on Tmall.",
    )


def test_favicon_is_linked_and_served_from_static(client, db):
    html = client.get(reverse("home")).content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg")


@pytest.mark.parametrize(("url", "zh", "en"), [
    (reverse("home"), "按平台查看星级最高的电商代运营服务商，先比星级再比综合分；每个分数都可在星级规则里复算。",
     "The highest-rated e-commerce operation providers per platform, tier first, then composite score; every score "
     "can be recomputed from the rating rules."),
    (LIST_URL, "按平台、类目、服务、城市和星级筛选电商代运营服务商，比较综合分、计分评价和在营店铺。",
     "Filter e-commerce operation providers by platform, category, service, city and tier, and compare composite "
     "scores, scored reviews and active stores."),
    (reverse("providers:compare"), "并排比较所选代运营服务商的服务费、服务、平台、类目、星级门槛和评价。",
     "Compare the chosen providers side by side: fees, services, platforms, categories, tier gates and reviews."),
    (reverse("ratings:tiers"), "星级规则：评价分、店铺表现分和综合分如何计算，三星到六星各级的门槛，以及降级预警、考察期和清退。",
     "The rating rules: how the review, performance and composite scores are computed, the gates of each tier from "
     "3★ to 6★, and at-risk, probation and delisting."),
])
def test_each_page_has_its_own_meta_description_in_both_languages(client, db, url, zh, en):
    assert meta_description(client.get(url).content.decode()) == zh

    assert meta_description(switch(client, "en", url)) == en


def test_provider_page_description_is_its_profile_truncated(client, provider):
    url = reverse("providers:detail", args=["xihu"])

    zh = meta_description(client.get(url).content.decode())
    assert zh == ("西湖电商成立于2015年，总部位于杭州，专注天猫平台的美妆类目代运营。" * 5)[:149] + "…"
    assert len(zh) == 150

    assert meta_description(switch(client, "en", url)) == "Xihu E-commerce runs beauty stores on Tmall."


def test_city_box_shows_the_city_in_the_language_switched_to(client, provider):
    url = f"{LIST_URL}?city=杭州"
    assert 'value="杭州"' in city_box(client.get(url).content.decode())

    html = switch(client, "en", url)
    assert 'value="Hangzhou"' in city_box(html)
    assert "Xihu E-commerce" in html  # still filtered to the Hangzhou provider

    english_url = f"{LIST_URL}?city=Hangzhou"
    assert 'value="杭州"' in city_box(switch(client, "zh-hans", english_url))


def test_city_box_keeps_a_city_not_in_the_list_as_typed(client, db):
    ProviderFactory(slug="kashi", name="喀什商贸", city="喀什")
    switch(client, "en", LIST_URL)

    assert 'value="喀什"' in city_box(client.get(LIST_URL, {"city": "喀什"}).content.decode())


# lang on text in the other language (WCAG 3.1.2) ------------------------------------------------------------------


def test_english_pages_mark_a_chinese_only_name_and_city_as_chinese(client, db):
    ProviderFactory(slug="kashi", name="喀什商贸", name_en="", city="喀什")
    ProviderFactory(slug="xihu", name="西湖电商", name_en="Xihu E-commerce", city="杭州")
    detail = reverse("providers:detail", args=["kashi"])
    switch(client, "en", LIST_URL)

    listing = client.get(LIST_URL).content.decode()
    assert '<a lang="zh-Hans" href="/providers/kashi/">喀什商贸</a>' in listing
    assert '<a href="/providers/xihu/">Xihu E-commerce</a>' in listing
    assert '<p class="provider-card__name-en" lang="zh-Hans">西湖电商</p>' in listing
    assert '<dd lang="zh-Hans">喀什</dd>' in listing and "<dd>Hangzhou</dd>" in listing

    page = client.get(detail).content.decode()
    assert '<h1 lang="zh-Hans">喀什商贸</h1>' in page
    assert 'class="provider__name-en"' not in page  # no second copy of the same Chinese name
    assert '<dd lang="zh-Hans">喀什</dd>' in page


def test_chinese_pages_mark_english_names_and_nothing_else(client, db):
    ProviderFactory(slug="kashi", name="喀什商贸", name_en="", city="喀什")
    ProviderFactory(slug="xihu", name="西湖电商", name_en="Xihu E-commerce", city="杭州")

    listing = client.get(LIST_URL).content.decode()
    assert '<a href="/providers/kashi/">喀什商贸</a>' in listing
    assert '<p class="provider-card__name-en" lang="en">Xihu E-commerce</p>' in listing
    assert 'lang="zh-Hans"' not in listing
    assert '<h1>西湖电商</h1>' in client.get(reverse("providers:detail", args=["xihu"])).content.decode()
