"""providers.cities: city names in English on English pages where known; the directory and API filters accept the
English name, and a trailing 市 after a known city."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from providers.cities import CITY_NAMES_EN, city_name_en, city_stored_name
from ingest.demo import CITIES
from providers.presenters import city_display
from tests.factories import ProviderFactory, api_client, reset_anonymous_throttle

LIST_URL = reverse("providers:list")
API_LIST = reverse("api:provider-list")


@pytest.fixture
def cities(db):
    return {
        "xihu": ProviderFactory(slug="xihu", name="西湖电商", city="杭州"),
        "qiantang": ProviderFactory(slug="qiantang", name="钱塘运营", city="杭州"),
        "pujiang": ProviderFactory(slug="pujiang", name="浦江品牌", city="上海"),
        "kashi": ProviderFactory(slug="kashi", name="喀什商贸", city="喀什"),  # not in the city list
    }


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})


def city_cells(html: str) -> list[str]:
    """The cards' fact cells as text (a search marks its words in them with <mark>)."""
    cells = re.findall(r"<dd(?: [^>]*)?>(.*?)</dd>", html, flags=re.S)  # a cell may carry lang="zh-Hans"
    return [cell.replace("<mark>", "").replace("</mark>", "") for cell in cells]


def listed_slugs(response):
    return [provider.slug for provider in response.context["page"].object_list]


def directory_slugs(response) -> list[str]:
    assert response.status_code == 200
    return sorted(provider.slug for provider in response.context["page"].object_list)


def detail_html(client, slug: str) -> str:
    response = client.get(reverse("providers:detail", kwargs={"slug": slug}))
    assert response.status_code == 200
    return response.content.decode()


# Names ---------------------------------------------------------------------------------------------------------------


def test_every_demo_city_has_its_english_name_from_the_one_list():
    assert len(CITIES) == 32
    assert all(CITY_NAMES_EN[zh] == en for zh, en, _weight in CITIES)
    assert CITY_NAMES_EN["杭州"] == "Hangzhou"
    assert CITY_NAMES_EN["西安"] == "Xi'an"
    assert CITY_NAMES_EN["香港"] == "Hong Kong"


def test_english_names_are_unambiguous_when_matched_without_case_spaces_or_apostrophes():
    assert len({city_stored_name(en) for en in CITY_NAMES_EN.values()}) == len(CITY_NAMES_EN)
    assert all(city_stored_name(en) == zh for zh, en in CITY_NAMES_EN.items())


@pytest.mark.parametrize(("value", "stored"), [
    ("Hangzhou", "杭州"), ("hangzhou", "杭州"), (" Hangzhou ", "杭州"), ("HANGZHOU", "杭州"),
    ("xi'an", "西安"), ("Xian", "西安"), ("Xi’an", "西安"), ("hong kong", "香港"), ("HongKong", "香港"),
    ("杭州", "杭州"), ("喀什", "喀什"), ("Kashgar", "Kashgar"), ("", ""),
])
def test_filter_value_stands_for_the_stored_city(value, stored):
    assert city_stored_name(value) == stored


def test_city_display_is_english_on_english_pages_where_known():
    assert city_name_en("杭州") == "Hangzhou"
    assert city_name_en("喀什") == ""
    with translation.override("en"):
        assert [city_display(c) for c in ("杭州", "上海", "西安", "喀什", "")] == [
            "Hangzhou", "Shanghai", "Xi'an", "喀什", ""]
    with translation.override("zh-hans"):
        assert [city_display(c) for c in ("杭州", "喀什")] == ["杭州", "喀什"]


# Pages ---------------------------------------------------------------------------------------------------------------


def test_directory_cards_show_the_english_city_on_english_pages(client, cities):
    english(client)

    cells = city_cells(client.get(LIST_URL, {"q": "西湖"}).content.decode())

    assert "Hangzhou" in cells
    assert "杭州" not in cells


def test_directory_cards_show_the_chinese_city_on_chinese_pages(client, cities):
    cells = city_cells(client.get(LIST_URL, {"q": "西湖"}).content.decode())

    assert "杭州" in cells
    assert "Hangzhou" not in cells


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_city_not_in_the_list_is_shown_as_stored(client, cities, language):
    if language == "en":
        english(client)

    assert "喀什" in city_cells(client.get(LIST_URL, {"q": "喀什"}).content.decode())
    assert "喀什" in city_cells(detail_html(client, "kashi"))


def test_provider_page_shows_the_city_in_the_page_language(client, cities):
    assert "<dd>杭州</dd>" in detail_html(client, "xihu")

    english(client)
    html = detail_html(client, "xihu")
    assert "<dd>Hangzhou</dd>" in html
    assert "<dd>杭州</dd>" not in html


def test_compare_shows_the_city_in_the_page_language(client, cities):
    compare = reverse("providers:compare")
    query = {"p": "xihu,pujiang,kashi"}

    rows = {row["key"]: row for row in client.get(compare, query).context["rows"]}
    assert [cell["text"] for cell in rows["city"]["cells"]] == ["杭州", "上海", "喀什"]

    english(client)
    rows = {row["key"]: row for row in client.get(compare, query).context["rows"]}
    assert [cell["text"] for cell in rows["city"]["cells"]] == ["Hangzhou", "Shanghai", "喀什"]


# Filters -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("city", "expected"), [
    ("hangzhou", ["qiantang", "xihu"]),
    (" Hangzhou ", ["qiantang", "xihu"]),
    ("杭州", ["qiantang", "xihu"]),
    ("SHANGHAI", ["pujiang"]),
    ("喀什", ["kashi"]),
    ("Kashgar", []),  # unknown: matched exactly against the stored value, as before
    ("杭", []),
])
def test_directory_city_filter_accepts_the_english_name(client, cities, city, expected):
    assert directory_slugs(client.get(LIST_URL, {"city": city})) == expected


def test_directory_city_filter_by_english_name_lists_exactly_the_hangzhou_providers(client, cities):
    english(client)

    response = client.get(LIST_URL, {"city": "hangzhou"})

    assert sorted(p.name for p in response.context["page"].object_list) == ["西湖电商", "钱塘运营"]
    assert directory_slugs(response) == ["qiantang", "xihu"]


@pytest.mark.parametrize(("city", "expected"), [
    ("hangzhou", ["qiantang", "xihu"]),
    (" Hangzhou ", ["qiantang", "xihu"]),
    ("杭州", ["qiantang", "xihu"]),
    ("Shanghai", ["pujiang"]),
    ("Kashgar", []),
])
def test_api_city_filter_accepts_the_english_name(cities, city, expected):
    reset_anonymous_throttle()

    response = api_client().get(API_LIST, {"city": city})

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert sorted(row["slug"] for row in rows) == expected
    assert {row["city"] for row in rows} <= {"杭州", "上海"}  # the API keeps the stored name


def test_api_documents_the_english_city_filter(db):
    reset_anonymous_throttle()

    schema = api_client().get("/api/v1/schema/?format=json").json()

    parameters = schema["paths"]["/api/v1/providers/"]["get"]["parameters"]
    city = next(p for p in parameters if p["name"] == "city")
    assert city["schema"] == {"type": "string"}
    assert city["description"] == "总部城市：中文名，或其通用英文名（不区分大小写），如 杭州、Hangzhou"


# 市 after a known city's name -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("杭州市", "杭州"), (" 杭州市 ", "杭州"), ("杭州", "杭州"), (" 杭州 ", "杭州"), ("乌鲁木齐市", "乌鲁木齐"),
        ("hangzhou", "杭州"), ("Xi'an", "西安"), ("市", "市"), ("未知市", "未知市"), ("杭州市市", "杭州市市"), ("", ""),
    ],
)
def test_city_stored_name_accepts_a_trailing_shi_for_known_cities(value, stored):
    assert city_stored_name(value) == stored


@pytest.fixture
def hangzhou_and_shanghai(db):
    ProviderFactory(slug="hz", city="杭州", score=Decimal("4.5"))
    ProviderFactory(slug="sh", city="上海", score=Decimal("4.0"))


def test_directory_city_filter_accepts_hangzhou_shi(client, hangzhou_and_shanghai):
    assert listed_slugs(client.get(LIST_URL, {"city": "杭州市"})) == ["hz"]
    assert listed_slugs(client.get(LIST_URL, {"city": "上海市"})) == ["sh"]


def test_api_city_filter_accepts_hangzhou_shi(hangzhou_and_shanghai):
    reset_anonymous_throttle()

    response = api_client().get(reverse("api:provider-list"), {"city": "杭州市"})

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["hz"]
