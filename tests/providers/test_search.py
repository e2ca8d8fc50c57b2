"""The directory search (providers.search): tokens, the index rows and their upkeep, matches, relevance, marks.

The table of queries runs on whichever database the suite runs on; CI runs it on SQLite and on PostgreSQL with
the same expected sets, which is what makes the two backends' matches identical.
"""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.models import Provider, ProviderSearch, Service
from providers.search.services import providers_search_refresh
from providers.search.text import document_tokens, highlight_spans, name_sort_key, query_words
from tests.factories import ProviderFactory, api_client

LIST_URL = reverse("providers:list")


def listed_slugs(response):
    return [provider.slug for provider in response.context["page"].object_list]


# Text rules (no database) ------------------------------------------------------------------------------------------


def test_document_tokens_are_chinese_characters_their_pairs_and_casefolded_words():
    assert document_tokens("杭州美妆", "Xi'an ＣＯＭＭＥＲＣＥ 3C数码") == (
        "杭 州 美 妆 杭州 州美 美妆 xi an commerce 3c 数 码 数码"
    )


def test_query_words_keep_each_space_separated_word_with_its_tokens():
    words = query_words("  杭州美妆 美 Comm !!! ")

    assert [word.text for word in words] == ["杭州美妆", "美", "Comm"]
    assert [[(t.text, t.prefix) for t in word.tokens] for word in words] == [
        [("杭州", False), ("州美", False), ("美妆", False)], [("美", False)], [("comm", True)],
    ]


@pytest.mark.parametrize(("name", "key"), [
    ("星海电商", "xing hai dian shang"),
    ("重庆银行", "chong qing yin hang"),  # heteronyms read in context: 重 chóng, 行 háng
    ("3C数码Lab", "3c shu ma lab"),
    ("Yunfan Operations", "yunfan operations"),
])
def test_name_sort_key_is_pinyin_for_chinese_and_casefolded_for_the_rest(name, key):
    assert name_sort_key(name) == key


def test_highlight_spans_mark_chinese_runs_and_word_starts_only():
    assert highlight_spans("杭州美妆电商 Hangzhou eCommerce", query_words("美妆 hang comm")) == [
        ("杭州", False), ("美妆", True), ("电商 ", False), ("Hang", True), ("zhou eCommerce", False),
    ]


# The index rows ----------------------------------------------------------------------------------------------------


@pytest.fixture
def directory(db):
    """Providers whose words sit in different fields, so that each query below has one exact answer."""
    return {
        "xihu": ProviderFactory(
            slug="xihu", name="西湖美妆运营", name_en="Xihu Beauty Ops", city="杭州", description="专注天猫美妆旗舰店",
            description_en="Tmall beauty flagship stores", platforms=["tmall"], categories=["beauty"],
            services=["operation"], tier=5, score=Decimal("4.50"),
        ),
        "haibin": ProviderFactory(
            slug="haibin", name="海滨电商", name_en="Haibin Commerce", city="杭州", description="服饰与食品",
            description_en="Apparel and food", platforms=["jd", "douyin"], categories=["apparel"],
            services=["live_streaming"], tier=4, score=Decimal("4.20"),
        ),
        "nanfeng": ProviderFactory(
            slug="nanfeng", name="南风品牌", name_en="Nanfeng Brands", city="广州", description="美妆个护与母婴",
            description_en="Beauty and baby", platforms=["tmall", "douyin"], categories=["beauty", "maternity"],
            services=["design", "warehousing"], tier=3, score=Decimal("3.80"),
        ),
        "beifang": ProviderFactory(
            slug="beifang", name="北方数码", name_en="", city="北京", description="3C数码专营",
            description_en="", platforms=["jd"], categories=["electronics"], services=["cross_border"],
            accepting_new_clients=False,
        ),
    }


def test_each_provider_has_one_search_row_with_names_apart_from_the_rest(directory):
    row = ProviderSearch.objects.get(provider=directory["xihu"])

    assert row.names == "西 湖 美 妆 运 营 西湖 湖美 美妆 妆运 运营 xihu beauty ops"
    # City in both languages, platforms, categories and services in both languages, both descriptions.
    for token in ("杭州", "hangzhou", "天猫", "tmall", "美妆", "个护", "personal", "店铺", "运营", "flagship"):
        assert token in row.body.split(), token
    assert row.name_sort == "xi hu mei zhuang yun ying"
    assert ProviderSearch.objects.get(provider=directory["beifang"]).name_en_sort == "bei fang shu ma"


def test_a_rating_write_touches_no_search_row(directory):
    with CaptureQueriesContext(connection) as queries:
        Provider.objects.filter(pk=directory["xihu"].pk).update(tier=6, score=Decimal("4.90"), review_count=9)

    assert [q["sql"] for q in queries.captured_queries if "providersearch" in q["sql"]] == []


def test_renaming_a_service_in_the_admin_refreshes_the_providers_that_offer_it(admin_client, directory):
    service = Service.objects.get(code="live_streaming")
    response = admin_client.post(
        reverse("admin:providers_service_change", args=[service.pk]),
        {"code": service.code, "name": "直播带货", "name_en": "Live selling", "position": service.position},
    )

    assert response.status_code == 302
    assert "带货" in ProviderSearch.objects.get(provider=directory["haibin"]).body.split()
    assert "带货" not in ProviderSearch.objects.get(provider=directory["xihu"]).body.split()


def test_the_directory_importer_writes_the_search_rows_of_what_it_changed(db):
    from ingest.importers.directory import providers_load

    providers_load(rows=[{
        "slug": "new-one", "name": "新锐电商", "name_en": "Xinrui", "city": "成都", "founded_year": "2020",
        "platforms": "pdd", "categories": "food", "services": "operation", "fee_min": "", "fee_max": "",
        "international_brands": "", "warehouse_area_m2": "", "website": "",
    }])

    row = ProviderSearch.objects.get(provider__slug="new-one")
    assert {"新锐", "xinrui", "成都", "chengdu", "拼多", "多多", "食品"} <= set((row.names + " " + row.body).split())


def test_refresh_of_many_providers_takes_a_fixed_number_of_queries(directory, django_assert_num_queries):
    ProviderFactory.create_batch(5, platforms=["tmall"], services=["operation"])
    # 3 reference name lists, the ids, then per chunk: 3 relations, the providers, delete, insert (+ savepoint).
    with CaptureQueriesContext(connection) as queries:
        assert providers_search_refresh() == 9
    few = len(queries.captured_queries)
    ProviderFactory.create_batch(20, platforms=["jd"], services=["design"])
    with django_assert_num_queries(few):
        assert providers_search_refresh() == 29


# Matches: the same on SQLite and PostgreSQL ---------------------------------------------------------------------------

QUERIES = [
    ("杭州 美妆", {"xihu"}),              # two words, each alone finds more (the example)
    ("美妆 杭州", {"xihu"}),              # any order
    ("美", {"xihu", "nanfeng"}),          # one character
    ("湖", {"xihu"}),
    ("母婴", {"nanfeng"}),                # a category's name
    ("广州 设计", {"nanfeng"}),           # inside a service's name (视觉设计)
    ("广州 直播", set()),
    ("直播", {"haibin"}),                 # a service
    ("天猫 美妆", {"xihu", "nanfeng"}),   # platform + category
    ("hangzhou beauty", {"xihu"}),        # English city + English word
    ("BEAU", {"xihu", "nanfeng"}),        # a word's beginning, any case
    ("commerce", {"haibin"}),
    ("ＪＤ", {"haibin", "beifang"}),      # full-width letters are letters
    ("3c", {"beifang"}),
    ("数码", {"beifang"}),
    ("西湖美妆", {"xihu"}),               # a run of four characters
    ("湖美妆", {"xihu"}),
    ("美妆运营 杭州 tmall", {"xihu"}),
    ("杭州 广州", set()),                 # every word is required
    ("!!!", set()),                       # nothing searchable
    ("eauty", set()),                     # words match from their start, not in the middle
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_search_matches_exactly(client, directory, query, expected):
    response = client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    assert set(listed_slugs(response)) == expected


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_the_api_search_matches_the_same(directory, query, expected):
    response = api_client().get(reverse("api:provider-list"), {"search": query, "page_size": 50})

    assert response.status_code == 200, response.content
    assert {row["slug"] for row in response.json()["results"]} == expected


def test_search_orders_by_relevance_then_tier(client, directory):
    # 美妆 is in 西湖美妆运营's name and only in 南风品牌's description and category.
    response = client.get(LIST_URL, {"q": "美妆"})

    assert listed_slugs(response) == ["xihu", "nanfeng"]
    Provider.objects.filter(slug="nanfeng").update(tier=6)
    assert listed_slugs(client.get(LIST_URL, {"q": "美妆"})) == ["xihu", "nanfeng"]
    assert listed_slugs(client.get(LIST_URL, {"q": "美妆", "sort": "tier"})) == ["nanfeng", "xihu"]


def test_relevance_is_offered_only_with_a_query_and_then_selected(client, directory):
    assert '<option value="relevance"' not in client.get(LIST_URL).content.decode()
    assert '<option value="relevance" selected>' in client.get(LIST_URL, {"q": "美"}).content.decode()


@pytest.mark.parametrize(("query", "error"), [
    ("一 二 三 四 五 六 七 八 九", "搜索词最多 8 个。"),
    ("字" * 101, "搜索内容最长 100 个字符。"),
])
def test_a_query_too_long_is_a_form_error_naming_the_limit(client, directory, query, error):
    response = client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    assert listed_slugs(response) == []
    assert response.context["form"].errors == {"q": [error]}


def test_matched_words_are_marked_in_names_and_text_is_escaped(client, directory):
    ProviderFactory(slug="tricky", name="<b>美妆</b>工作室", name_en="", city="杭州")

    html = client.get(LIST_URL, {"q": "美妆 杭州"}).content.decode()

    assert '<a href="/providers/xihu/">西湖<mark>美妆</mark>运营</a>' in html
    assert "&lt;b&gt;<mark>美妆</mark>&lt;/b&gt;工作室" in html
    assert "<b>美妆" not in html
    assert "<dd><mark>杭州</mark></dd>" in html
    # Where the word is only in the description, an excerpt shows it.
    assert '<p class="provider-card__snippet">专注天猫<mark>美妆</mark>旗舰店</p>' in html


def test_sort_by_name_follows_pinyin_in_chinese_and_english_names_in_english(client, directory):
    # 北方 bei fang < 海滨 hai bin < 南风 nan feng < 西湖 xi hu
    assert listed_slugs(client.get(LIST_URL, {"sort": "name"})) == ["beifang", "haibin", "nanfeng", "xihu"]
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})
    # 北方数码 has no English name: its pinyin (bei fang) sorts among the English names.
    assert listed_slugs(client.get(LIST_URL, {"sort": "name"})) == ["beifang", "haibin", "nanfeng", "xihu"]
    Provider.objects.filter(slug="xihu").update(name_en="Alpha West Lake")
    providers_search_refresh(provider_ids=[directory["xihu"].pk])
    assert listed_slugs(client.get(LIST_URL, {"sort": "name"})) == ["xihu", "beifang", "haibin", "nanfeng"]


# Filters ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "expected"), [
    ({"platform": ["tmall", "jd"]}, ["xihu", "haibin", "nanfeng", "beifang"]),  # OR within a group
    ({"platform": ["tmall"], "category": ["apparel"]}, []),                      # AND across groups
    ({"platform": ["douyin"], "category": ["beauty", "apparel"]}, ["haibin", "nanfeng"]),
    ({"platform": ["douyin", "tmall"], "service": ["warehousing", "operation"]}, ["xihu", "nanfeng"]),
    ({"platform": ["tmall", ""]}, ["xihu", "nanfeng"]),                         # an empty value is no choice
    ({"min_tier": "4"}, ["xihu", "haibin"]),
    ({"min_tier": "4", "q": "杭州"}, ["xihu", "haibin"]),
    ({"accepting": "on"}, ["xihu", "haibin", "nanfeng"]),
    ({"accepting": "on", "platform": ["jd"]}, ["haibin"]),
    ({"city": "hangzhou", "category": ["beauty"]}, ["xihu"]),
])
def test_filter_combinations(client, directory, params, expected):
    response = client.get(LIST_URL, params)

    assert response.context["form"].errors == {}
    assert listed_slugs(response) == expected


def test_chips_name_each_active_filter_and_remove_only_it(client, directory):
    html = client.get(LIST_URL, {"platform": ["tmall", "jd"], "min_tier": "4", "q": "杭州", "accepting": "on"}).content.decode()

    chips = html[html.index('<ul class="chips"'):html.index("</ul>", html.index('<ul class="chips"'))]
    assert chips.count('<li class="chip">') == 5
    assert '搜索：“杭州” <a class="chip__remove" href="?platform=tmall&amp;platform=jd&amp;min_tier=4&amp;accepting=on"' in chips
    assert '星级：四星及以上 <a class="chip__remove" href="?platform=tmall&amp;platform=jd&amp;q=%E6%9D%AD%E5%B7%9E&amp;accepting=on"' in chips
    assert '平台：天猫 <a class="chip__remove" href="?platform=jd&amp;min_tier=4&amp;q=%E6%9D%AD%E5%B7%9E&amp;accepting=on"' in chips
    assert '平台：京东 <a class="chip__remove" href="?platform=tmall&amp;min_tier=4&amp;q=%E6%9D%AD%E5%B7%9E&amp;accepting=on"' in chips
    assert 'aria-label="移除筛选条件 接受新客户">×</a>' in chips


def test_chips_in_english(client, directory):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})

    html = client.get(LIST_URL, {"platform": "tmall", "tier": "5"}).content.decode()

    assert "Platform: Tmall <a" in html
    assert 'aria-label="Remove filter Tier: Five stars"' in html


def test_city_list_offers_the_cities_of_listed_providers_in_the_page_language(client, directory):
    ProviderFactory(slug="gone", city="西安", status=Provider.Status.DELISTED)

    html = client.get(LIST_URL).content.decode()
    assert 'list="city-options"' in html
    assert ('<datalist id="city-options"><option value="北京"></option><option value="广州"></option>'
            '<option value="杭州"></option></datalist>') in html
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})
    assert ('<datalist id="city-options"><option value="Beijing"></option><option value="Guangzhou"></option>'
            '<option value="Hangzhou"></option></datalist>') in client.get(LIST_URL).content.decode()


def test_panel_is_a_details_element_with_the_search_outside_it(client, directory):
    html = client.get(LIST_URL, {"platform": "tmall"}).content.decode()

    assert html.index('id="id_q"') < html.index('<details class="filter-panel" id="filter-panel">')
    assert '<summary class="filter-panel__toggle">更多筛选条件 <span class="filter-panel__count">(1)</span></summary>' in html
    assert '<button type="submit" class="button">筛选</button>' in html  # kept for browsers without JavaScript
    assert "data-apply-on-change" in html


@pytest.mark.parametrize("params", [
    {"q": "杭州 美妆"},
    {"q": "美", "platform": ["tmall", "jd"], "service": ["operation", "design"], "min_tier": "3"},
])
def test_directory_query_count_is_fixed_with_search_and_filters(client, directory, params, django_assert_num_queries):
    # count+page, the cards' platform and service links (one query), their descriptions (for the excerpt) and
    # credentials, the 3 reference lists of the form and the city list (the page's lists, cached per generation
    # when the cache is on); chosen reference codes are checked against those lists, not looked up.
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL, params)
    assert len(few.captured_queries) == 8
    ProviderFactory.create_batch(25, name="美妆杭州店", platforms=["tmall"], services=["operation"], tier=4)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL, params)
    assert len(response.context["page"].object_list) == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the match functions are PostgreSQL's (SQLite: FTS5)")
def test_postgresql_match_functions_plan_their_scan_apart_with_the_index_only(directory):
    """Migration 0017: the functions carry their own planner setting, so a common term reads the GIN index
    rather than every out-of-line vector, and they find what the operator finds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'providers_search%%' ORDER BY 1")
        assert cursor.fetchall() == [("providers_search_ids", ["enable_seqscan=off"]),
                                     ("providers_search_name_ids", ["enable_seqscan=off"])]
        found = {}
        for function, column in (("providers_search_ids", "vector"), ("providers_search_name_ids", "names_vector")):
            cursor.execute(f"SELECT id FROM {function}(%s::tsquery) AS id ORDER BY 1", ["'美妆'"])
            found[column] = [pk for (pk,) in cursor.fetchall()]
            cursor.execute(f"SELECT provider_id FROM providers_providersearch WHERE {column} @@ %s::tsquery "
                           "ORDER BY 1", ["'美妆'"])
            assert found[column] == [pk for (pk,) in cursor.fetchall()]
    # 美妆 is in 西湖美妆运营's name and in 南风品牌's description only.
    assert found == {"vector": sorted([directory["xihu"].pk, directory["nanfeng"].pk]),
                     "names_vector": [directory["xihu"].pk]}
