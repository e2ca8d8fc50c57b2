"""partners.api.directory: filters, ordering, cursor pages, detail, history, reviews and compare over the directory."""
import datetime as dt
import gzip
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from providers.models import Provider
from ratings.models import Review
from tests.factories import (
    ProviderFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    UserFactory,
    api_client,
)

pytestmark = pytest.mark.django_db

LIST = reverse("api:provider-list")


def rated(*, score, tier, period=dt.date(2025, 6, 1), **kwargs) -> Provider:
    """A provider with a snapshot for `period`, copied onto the provider row as the recompute does."""
    provider = ProviderFactory(**kwargs)
    composite = Decimal(score) if score is not None else None
    ScoreSnapshotFactory(provider=provider, period=period, composite=composite, tier=tier, computed_tier=tier,
                         candidate_tier=tier, status=provider.status,
                         performance_score=Decimal("4.4000") if score is not None else None)
    Provider.objects.filter(pk=provider.pk).update(score=composite, tier=tier, rated_period=period)
    provider.refresh_from_db()
    return provider


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_list_defaults_to_listed_providers_best_score_first_unrated_last():
    rated(slug="b", name="乙", score="4.10", tier=4)
    rated(slug="a", name="甲", score="4.60", tier=5)
    ProviderFactory(slug="unrated", name="丙")
    rated(slug="gone", score="3.00", tier=None, status=Provider.Status.DELISTED)
    rated(slug="paused", score="4.90", tier=6, status=Provider.Status.SUSPENDED)

    assert slugs(api_client().get(LIST)) == ["a", "b", "unrated"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"tier": 4}, ["t4"]),
    ({"min_tier": 5}, ["t6", "t5"]),
    ({"min_score": "4.50"}, ["t6", "t5"]),
    ({"city": "上海"}, ["t5"]),
    ({"platform": "jd"}, ["t4"]),
    ({"category": "beauty"}, ["t6"]),
    ({"service": "warehousing"}, ["t6", "t5"]),
    ({"search": "Harbor"}, ["t4"]),
    ({"search": "跨境"}, ["t6"]),
    ({"status": "probation"}, ["t3"]),
    ({"status": ["delisted", "suspended"]}, ["out", "paused"]),
    ({"platform": "tmall", "min_tier": 4}, ["t6", "t5"]),
])
def test_each_filter(query, expected):
    rated(slug="t6", score="4.80", tier=6, platforms=["tmall"], categories=["beauty"],
          services=["warehousing"], description="跨境电商运营")
    rated(slug="t5", score="4.55", tier=5, city="上海", platforms=["tmall"], services=["warehousing"])
    rated(slug="t4", score="4.10", tier=4, platforms=["jd"], name_en="Harbor Digital")
    rated(slug="t3", score="3.40", tier=3, status=Provider.Status.PROBATION)
    rated(slug="out", score="3.00", tier=None, status=Provider.Status.DELISTED)
    rated(slug="paused", score="2.00", tier=None, status=Provider.Status.SUSPENDED)

    assert slugs(api_client().get(LIST, query)) == expected


@pytest.mark.parametrize(("query", "field"), [
    ({"tier": "x"}, "tier"), ({"platform": "nosuch"}, "platform"), ({"status": "gone"}, "status"),
    ({"ordering": "founded_year"}, "ordering"), ({"min_score": "high"}, "min_score"), ({"page_size": "0"}, "page_size"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_bad_parameters_are_400_naming_the_parameter(query, field):
    response = api_client().get(LIST, query)

    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert [error["field"] for error in body["errors"]] == [field]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("-score", ["high", "mid", "low", "none"]),
    ("score", ["low", "mid", "high", "none"]),
    ("-tier", ["high", "mid", "low", "none"]),
    ("tier", ["low", "mid", "high", "none"]),
    ("fee_min", ["mid", "high", "low", "none"]),
    ("-fee_min", ["low", "high", "mid", "none"]),
    ("-review_count", ["mid", "low", "none", "high"]),
    ("review_count", ["high", "none", "low", "mid"]),
    ("name", ["high", "low", "mid", "none"]),
    ("-name", ["none", "mid", "low", "high"]),
])
def test_each_ordering_puts_nulls_last(ordering, expected):
    rated(slug="high", name="A", score="4.80", tier=6, fee_min=Decimal("20000"))
    rated(slug="mid", name="C", score="4.20", tier=4, fee_min=Decimal("5000"))
    rated(slug="low", name="B", score="3.60", tier=3, fee_min=Decimal("90000"), fee_max=Decimal("100000"))
    ProviderFactory(slug="none", name="D", fee_min=None, fee_max=None)
    Provider.objects.filter(slug="mid").update(review_count=30)
    Provider.objects.filter(slug="low").update(review_count=12)
    Provider.objects.filter(slug="none").update(review_count=1)

    assert slugs(api_client().get(LIST, {"ordering": ordering})) == expected


@pytest.mark.parametrize("ordering", ["-score", "score", "fee_min", "-name"])
def test_cursor_pages_walk_forward_and_back_without_gaps_or_repeats(ordering):
    # Ties and NULLs on the ordering key: the cursor must carry the whole key (value, name, pk).
    for n in range(7):
        rated(slug=f"r{n}", name=f"N{n % 3}", score=["4.50", "4.50", "4.00", None, "3.80", "4.50", None][n],
              tier=[5, 5, 4, None, 3, 5, None][n], fee_min=[Decimal("1"), None][n % 2])
    client = api_client()
    everything = slugs(client.get(LIST, {"ordering": ordering, "page_size": 50}))

    pages, url = [], f"{LIST}?ordering={ordering}&page_size=3"
    while url:
        body = client.get(url).json()
        pages.append([row["slug"] for row in body["results"]])
        last, url = body, body["next"]
    assert [slug for page in pages for slug in page] == everything
    assert [len(page) for page in pages] == [3, 3, 1]

    back, url = [], last["previous"]
    while url:
        body = client.get(url).json()
        back.insert(0, [row["slug"] for row in body["results"]])
        url = body["previous"]
    assert back == pages[:-1]


def test_detail_has_every_field_from_the_latest_snapshot():
    provider = rated(slug="acme", name="爱克美", score="4.44", tier=4, platforms=["tmall", "jd"],
                     categories=["apparel"], services=["operation"], period=dt.date(2025, 6, 1))
    ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 5, 1), composite=Decimal("3.90"),
                         explanation={"old": True})
    provider.snapshots.filter(period=dt.date(2025, 6, 1)).update(explanation={"next_tier": {"tier": 5}},
                                                                 active_stores=12, excellent_stores=4)
    Provider.objects.filter(pk=provider.pk).update(review_count=7, review_average=Decimal("4.60"), at_risk=True)

    response = api_client().get(reverse("api:provider-detail", kwargs={"slug": "acme"}))

    assert response.status_code == 200
    assert response.json() == {
        "slug": "acme", "name": "爱克美", "name_en": provider.name_en, "city": "杭州", "founded_year": 2015,
        "status": "active", "tier": 4, "at_risk": True, "period": "2025-06",
        "score": {"composite": "4.44", "reviews": "4.5000", "performance": "4.4000"},
        "review_count": 7, "review_average": "4.60", "active_stores": 12, "excellent_stores": 4,
        "platforms": ["tmall", "jd"], "categories": ["apparel"], "services": ["operation"],
        "fee_min": "10000.00", "fee_max": "30000.00", "accepting_new_clients": True, "verified": False,
        "url": "http://testserver/api/v1/providers/acme/", "size_band": "", "description": "",
        "description_en": "", "website": None, "international_brands": 0, "warehouse_area_m2": 0,
        "cities_served": [], "explanation": {"next_tier": {"tier": 5}}, "credentials": [],
        "response_stats": None, "conduct": {"points": 0, "sanction": "none", "violations": []},
    }


def test_never_rated_provider_has_null_scores():
    ProviderFactory(slug="new")

    body = api_client().get(reverse("api:provider-detail", kwargs={"slug": "new"})).json()

    assert (body["tier"], body["period"], body["score"], body["explanation"]) == (None, None, None, None)


def test_delisted_provider_keeps_its_detail_but_leaves_the_list():
    rated(slug="gone", score="3.00", tier=None, status=Provider.Status.DELISTED)
    client = api_client()

    assert client.get(reverse("api:provider-detail", kwargs={"slug": "gone"})).json()["status"] == "delisted"
    assert slugs(client.get(LIST)) == []


def test_unknown_provider_is_a_json_404():
    response = api_client().get(reverse("api:provider-detail", kwargs={"slug": "nope"}))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response["Content-Type"] == "application/json"


def test_unknown_api_path_is_a_json_404():
    response = api_client().get("/api/v1/no/such/thing/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_detail_and_history_answer_304_to_a_matching_etag():
    rated(slug="acme", score="4.44", tier=4)
    client = api_client()
    for url in (reverse("api:provider-detail", kwargs={"slug": "acme"}),
                reverse("api:provider-history", kwargs={"slug": "acme"})):
        first = client.get(url)
        etag = first["ETag"]

        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
        assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200

    Provider.objects.filter(slug="acme").update(name="改名")
    changed = client.get(reverse("api:provider-detail", kwargs={"slug": "acme"}), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_api_responses_and_anonymous_pages_are_gzipped_when_asked_signed_in_pages_are_not():
    for n in range(5):
        rated(slug=f"p{n}", score="4.00", tier=4)
    client = api_client()

    response = client.get(LIST, HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert [row["slug"] for row in json.loads(gzip.decompress(response.content))["results"]] == [
        "p0", "p1", "p2", "p3", "p4"]
    page = client.get(reverse("providers:list"), HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    assert "p0" in gzip.decompress(page.content).decode()
    client.force_login(UserFactory())
    page = client.get(reverse("providers:list"), HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200
    assert page.get("Content-Encoding") is None  # BREACH: see partners/middleware.py


def test_history_lists_snapshots_newest_first():
    provider = rated(slug="acme", score="4.44", tier=4, period=dt.date(2025, 6, 1))
    ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 5, 1), composite=Decimal("3.40"),
                         review_score=Decimal("3.5000"), performance_score=Decimal("3.3333"), candidate_tier=None,
                         tier=3, status=Provider.Status.PROBATION, at_risk=True)

    response = api_client().get(reverse("api:provider-history", kwargs={"slug": "acme"}))

    assert response.json() == [
        {"period": "2025-06", "composite": "4.44", "reviews": "4.5000", "performance": "4.4000",
         "candidate_tier": 4, "tier": 4, "status": "active", "at_risk": False, "policy_version": 1},
        {"period": "2025-05", "composite": "3.40", "reviews": "3.5000", "performance": "3.3333",
         "candidate_tier": None, "tier": 3, "status": "probation", "at_risk": True, "policy_version": 1},
    ]


def test_reviews_are_published_only_newest_first_with_personal_data_masked():
    provider = ProviderFactory(slug="acme")
    shown = ReviewFactory(provider=provider, created_at=dt.date(2025, 6, 2), rating=4, effect=5, communication=3,
                          title="联系 13812345678", body="加微信 abc_12345 详聊", verified=True,
                          reply="请发邮件 service@acme.cn")
    older = ReviewFactory(provider=provider, created_at=dt.date(2025, 5, 1))
    ReviewFactory(provider=provider, status=Review.Status.PENDING)
    ReviewFactory(provider=provider, status=Review.Status.MALICIOUS)

    body = api_client().get(reverse("api:provider-reviews", kwargs={"slug": "acme"})).json()

    assert [row["id"] for row in body["results"]] == [shown.pk, older.pk]
    first = body["results"][0]
    assert first == {
        "id": shown.pk, "rating": 4, "effect": 5, "communication": 3, "professionalism": None,
        "responsiveness": None, "title": "联系 138********", "body": "加微信 ****** 详聊", "created_at": "2025-06-02",
        "verified": True, "reply": "请发邮件 s***@acme.cn", "replied_at": None,
    }


def test_compare_returns_detail_fields_in_the_order_asked():
    rated(slug="a", score="4.60", tier=5)
    rated(slug="b", score="4.10", tier=4)
    client = api_client()

    body = client.get(reverse("api:compare"), {"providers": "b,a"}).json()

    assert [row["slug"] for row in body["results"]] == ["b", "a"]
    detail = client.get(reverse("api:provider-detail", kwargs={"slug": "b"})).json()
    # The record adds the response statistics (null below 5 requests) and the conduct ledger; compare rows carry
    # the rest, equal.
    assert detail.pop("response_stats") is None
    assert detail.pop("conduct") == {"points": 0, "sanction": "none", "violations": []}
    assert body["results"][0] == detail


@pytest.mark.parametrize(("value", "code"), [
    ("a,b,c,d,e", "count"), ("a,a", "duplicate"), ("a,missing", "unknown_provider"), (",", "count"),
])
def test_compare_rejects_bad_lists(value, code):
    rated(slug="a", score="4.60", tier=5)

    response = api_client().get(reverse("api:compare"), {"providers": value})

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("providers", code)]


def test_reference_lists_carry_codes_and_both_names():
    client = api_client()

    platforms = client.get(reverse("api:platform-list")).json()
    services = client.get(reverse("api:service-list")).json()
    categories = client.get(reverse("api:category-list")).json()

    assert platforms[0] == {"code": "tmall", "name": "天猫", "name_en": "Tmall"}
    assert {"code", "name", "name_en"} == set(services[0]) == set(categories[0])
    assert len(platforms) == 7


def _grow(count: int) -> list[Provider]:
    made = []
    for _ in range(count):
        provider = rated(score="4.20", tier=4, platforms=["tmall", "jd"], categories=["apparel"],
                         services=["operation"])
        ReviewFactory(provider=provider)
        made.append(provider)
    return made


@pytest.mark.parametrize(("name", "queries"), [
    # detail and compare: +1 for the verified platform credentials (profiles.selectors.credentials_verified_prefetch)
    # detail +1 for its conduct violations (conduct.selectors.violations_recent, appeals in the same query)
    # detail and compare +1 for the verified platform credentials (profiles.selectors.credentials_verified_prefetch)
    ("list", 5), ("detail", 8), ("history", 2), ("reviews", 2), ("compare", 6),
])
def test_query_counts_stay_fixed_as_data_grows(django_assert_num_queries, name, queries):
    client = api_client()
    urls = {
        "list": lambda p: f"{LIST}?platform=tmall&min_tier=4&ordering=-score",
        "detail": lambda p: reverse("api:provider-detail", kwargs={"slug": p[0].slug}),
        "history": lambda p: reverse("api:provider-history", kwargs={"slug": p[0].slug}),
        "reviews": lambda p: reverse("api:provider-reviews", kwargs={"slug": p[0].slug}),
        "compare": lambda p: f"{reverse('api:compare')}?providers={','.join(x.slug for x in p[:4])}",
    }
    # The reference data is looked up once per request by the filter form (a platform code is validated).
    expected = queries + (1 if name == "list" else 0)
    providers = _grow(4)
    with django_assert_num_queries(expected):
        assert client.get(urls[name](providers)).status_code == 200
    providers += _grow(20)
    with django_assert_num_queries(expected):
        assert client.get(urls[name](providers)).status_code == 200


@pytest.mark.django_db
def test_provider_without_website_has_null_not_an_invalid_uri():
    from rest_framework.test import APIClient

    from tests.factories import ProviderFactory

    provider = ProviderFactory(website="")
    body = APIClient().get(reverse("api:provider-detail", kwargs={"slug": provider.slug})).json()
    assert body["website"] is None
