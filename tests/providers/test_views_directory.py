"""The directory page (providers.views.provider_list_view): cards, filters, sorting, paging, the base layout, its cache."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.models import Provider
from providers.search.services import providers_search_refresh
from tests.factories import EngagementFactory, ProviderFactory, UserFactory

LIST_URL = reverse("providers:list")


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})


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
    # count + page, the cards' platform and service links (one query) and platform credentials, the 3 reference
    # lists of the filter form (chosen codes are checked against them) and the city list
    assert len(few.captured_queries) == 7
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
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/compare.js" defer>', '<script src="/static/js/directory.js" defer>',
    ]


def test_language_switcher_switches_the_page_language(client, demo):
    response = client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert '<html lang="en">' in client.get(LIST_URL).content.decode()


# Directory: sort, fee range, search ranking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["xinghai", "yunfan", "qinghe"]),
        ("tier", ["xinghai", "yunfan", "qinghe"]),
        ("reviews", ["xinghai", "yunfan", "qinghe"]),
        ("fee", ["xinghai", "qinghe", "yunfan"]),
        ("fee_desc", ["qinghe", "yunfan", "xinghai"]),
        # Chinese names in pinyin order: 青禾 (qing he) < 星海 (xing hai) < 云帆 (yun fan).
        ("name", ["qinghe", "xinghai", "yunfan"]),
    ],
)
def test_directory_sorts(client, demo, sort, expected):
    Provider.objects.filter(slug="yunfan").update(fee_min=Decimal("20000"), fee_max=Decimal("40000"), name="云帆运营")
    Provider.objects.filter(slug="qinghe").update(fee_min=Decimal("10000"), fee_max=Decimal("50000"))

    assert listed_slugs(client.get(LIST_URL, {"sort": sort})) == expected


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
    providers_search_refresh(provider_ids=[demo["yunfan"].pk])

    assert listed_slugs(client.get(LIST_URL, {"q": "抖音直播"})) == ["yunfan"]
    assert listed_slugs(client.get(LIST_URL, {"q": "live COMMERCE"})) == ["yunfan"]


def test_directory_filters_live_in_the_query_string_and_the_form_keeps_them(client, demo):
    html = client.get(LIST_URL, {"tier": "5", "platform": "douyin", "sort": "fee", "q": "云帆"}).content.decode()

    assert 'method="get"' in html
    assert '<input type="hidden" name="tier" value="5">' in html  # not a field: kept when another changes
    assert '<input type="checkbox" name="platform" value="douyin" id="id_platform_3" checked>' in html
    assert '<option value="fee" selected>' in html
    assert 'value="云帆"' in html


def test_directory_card_offers_add_to_compare(client, demo):
    html = client.get(LIST_URL).content.decode()

    # The card (shared by every visitor) submits the tray's form, which carries the visitor's CSRF token.
    assert ('<button type="submit" class="button button--ghost button--small shortlist-toggle" '
            'form="shortlist-add-form" name="slug" value="xinghai">加入对比') in html
    tray = html.split('id="compare-tray"', 1)[1]
    assert '<form id="shortlist-add-form" method="post" action="/compare/change/" hidden>' in tray
    assert 'name="csrfmiddlewaretoken"' in tray and '<input type="hidden" name="next" value="/providers/">' in tray


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


# Budget: providers whose fee range overlaps it ------------------------------------------------------------------------


@pytest.fixture
def fees(db):
    ProviderFactory(slug="mid", name="中价运营", fee_min=Decimal("18000"), fee_max=Decimal("30000"), score=Decimal("4.5"))
    ProviderFactory(slug="cheap", name="低价运营", fee_min=Decimal("3000"), fee_max=Decimal("8000"), score=Decimal("4.0"))
    ProviderFactory(slug="dear", name="高价运营", fee_min=Decimal("40000"), fee_max=Decimal("80000"), score=Decimal("3.5"))


def test_budget_fields_are_labelled_as_a_budget_with_the_overlap_rule_under_them(client, fees):
    response = client.get(LIST_URL)

    form = response.context["form"]
    assert str(form.fields["fee_from"].label) == "预算下限（元/月）"
    assert str(form.fields["fee_to"].label) == "预算上限（元/月）"
    html = response.content.decode()
    assert '<label for="id_fee_from">预算下限（元/月）</label>' in html
    assert '<label for="id_fee_to">预算上限（元/月）</label>' in html
    assert html.count('<p class="field__help">显示报价区间与预算有重叠的服务商。</p>') == 1
    # The sentence follows the budget pair, before the next field.
    assert html.index('id="id_fee_to"') < html.index("显示报价区间与预算有重叠的服务商") < html.index('id="id_min_score"')
    assert "月服务费不高于" not in html and "月服务费不低于" not in html


def test_budget_fields_in_english(client, fees):
    english(client)

    html = client.get(LIST_URL).content.decode()

    assert '<label for="id_fee_from">Budget from (CNY/month)</label>' in html
    assert '<label for="id_fee_to">Budget up to (CNY/month)</label>' in html
    assert '<p class="field__help">Shows providers whose quoted fee range overlaps the budget.</p>' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"fee_to": "20000"}, ["mid", "cheap"]),  # ¥18,000–¥30,000 starts within a ¥20,000 budget
        ({"fee_from": "20000", "fee_to": "25000"}, ["mid"]),
        ({"fee_from": "20000", "fee_to": "20000"}, ["mid"]),  # equal bounds are a valid budget
        ({"fee_from": "31000"}, ["dear"]),
        ({"fee_to": "2999"}, []),
    ],
)
def test_budget_keeps_providers_whose_fee_range_overlaps_it(client, fees, params, expected):
    response = client.get(LIST_URL, params)

    assert response.context["form"].errors == {}
    assert listed_slugs(response) == expected


def test_reversed_budget_is_a_form_error_naming_the_problem(client, fees):
    response = client.get(LIST_URL, {"fee_from": "30000", "fee_to": "10000"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"fee_to": ["预算下限不能高于预算上限。"]}
    assert listed_slugs(response) == []
    html = response.content.decode()
    assert "部分筛选条件无效，请修改后重试。" in html
    assert '<p class="field__error">预算下限不能高于预算上限。</p>' in html


def test_reversed_budget_error_in_english(client, fees):
    english(client)

    response = client.get(LIST_URL, {"fee_from": "30000", "fee_to": "10000"})

    assert response.context["form"].errors == {"fee_to": ["Budget from cannot be above budget up to."]}
    assert '<p class="field__error">Budget from cannot be above budget up to.</p>' in response.content.decode()


# Anonymous page cache ----------------------------------------------------------------------------------------------


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
    # Only the page of providers with its count: the platform, category and service choices of the form and the
    # city list are kept for the generation like the cards.
    with django_assert_num_queries(1):
        html = client.get(LIST_URL, {"tier": "6", "sort": "name"}).content.decode()
    card = first[first.index('<article class="card provider-card'):first.index("</article>") + len("</article>")]
    assert card in html and "改名后的星海" not in html


def test_the_form_choices_and_cities_are_kept_until_the_next_generation(client, demo, cache_on):
    from providers.cache import directory_cache_bump
    from providers.models import Platform

    client.get(LIST_URL)
    Platform.objects.filter(code="tmall").update(name="天猫商城")
    Provider.objects.filter(slug="xinghai").update(city="宁波")

    kept = client.get(LIST_URL, {"sort": "name"}).content.decode()
    directory_cache_bump()  # as the reference admin and every provider write do
    fresh = client.get(LIST_URL, {"sort": "name"}).content.decode()

    assert 'value="tmall" id="id_platform_0"> 天猫</label>' in kept and '<option value="杭州">' in kept
    assert 'value="tmall" id="id_platform_0"> 天猫商城</label>' in fresh and '<option value="宁波">' in fresh
    assert '<option value="杭州">' not in fresh


def test_an_unknown_code_is_refused_with_the_fields_own_message_when_the_choices_are_cached(client, demo, cache_on):
    from django.forms import ModelMultipleChoiceField

    response = client.get(LIST_URL, {"platform": ["tmall", "nosuch"], "service": "operation"})

    message = ModelMultipleChoiceField.default_error_messages["invalid_choice"] % {"value": "nosuch"}
    assert response.context["form"].errors == {"platform": [message]}
    assert listed_slugs(response) == []


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
        "services": [s.pk for s in demo["xinghai"].services.all()],
        # The team inline, unchanged (no members).
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
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


def test_cached_directory_is_refreshed_when_providers_are_imported(client, demo, cache_on,
                                                                   django_capture_on_commit_callbacks):
    from ingest.services import import_providers
    from tests.factories import provider_row

    client.get(LIST_URL)
    with django_capture_on_commit_callbacks(execute=True):
        import_providers(rows=[provider_row(slug="xinghai", name="星海电商（新名）", platforms="tmall", services="",
                                            categories="")])

    assert "星海电商（新名）" in client.get(LIST_URL).content.decode()


# Demo accounts --------------------------------------------------------------------------------------------------------


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
    # The stores to review come from imported engagements; the demo's hire through a request (inquiries.demo)
    # adds one of source "directory", starting next month.
    imported = Provider.objects.filter(engagements__store__merchants=merchant, engagements__source="import")
    assert sorted(imported.values_list("slug", flat=True)) == ["xinghai", "yunfan"]
    assert list(Provider.objects.filter(engagements__store__merchants=merchant, engagements__source="directory")
                .values_list("slug", flat=True)) == ["xinghai"]
    assert list(staff.provider_memberships.values_list("slug", flat=True)) == ["xinghai"]
