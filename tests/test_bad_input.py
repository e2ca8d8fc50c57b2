"""Bad query parameters on every merchant page and API list endpoint: 400 or a clear page, never a 500.

Each page is probed with a table of bad values for every parameter it reads (and a few it does not), one
parameter at a time, plus repeated parameters and oversized lists.
"""
import pytest
from django.test import Client

from tests.factories import ProviderFactory, ReviewFactory, UserFactory, reset_anonymous_throttle

pytestmark = pytest.mark.django_db

HUGE = "测" * 5000 + "a" * 5000
BAD_VALUES = [
    "abc", "", " ", "-1", "0", "9", "1.5", "1e309", "NaN", "Infinity", "-Infinity", "9" * 40, "１２",
    "'; DROP TABLE providers_provider;--", "<script>alert(1)</script>", "%00", "\u0000", "🙂", "[]", "{}",
    "../../etc/passwd", HUGE,
]
FILTERS = ["page", "tier", "min_tier", "platform", "category", "service", "city", "min_score", "q",
           "fee_from", "fee_to", "sort"]
PAGES = {
    # url: the parameters it reads (plus one it does not, to check unknown ones are ignored)
    "/": [*FILTERS, "unknown"],
    "/providers/": [*FILTERS, "unknown"],
    "/providers/bad-input-co/": ["sort", "page", "unknown"],
    "/compare/": ["p", "unknown"],
    "/tiers/": ["unknown"],
    "/me/reviews/": ["page", "unknown"],
    "/accounts/login/": ["next"],
}
API = {
    "/api/v1/providers/": [*FILTERS, "ordering", "cursor", "page_size"],
    "/api/v1/providers/bad-input-co/reviews/": ["cursor", "page_size", "ordering"],
    "/api/v1/providers/bad-input-co/history/": ["cursor", "page_size"],
    "/api/v1/compare/": ["providers"],
    "/api/v1/tiers/": ["unknown"],
    "/api/v1/policy/": ["unknown"],
    "/api/v1/platforms/": ["cursor", "page_size"],
    "/api/v1/categories/": ["cursor", "page_size"],
    "/api/v1/services/": ["cursor", "page_size"],
}
FIFTY_SLUGS = ",".join(f"provider-{n}" for n in range(50))


@pytest.fixture
def seeded(db):
    provider = ProviderFactory(slug="bad-input-co")
    ReviewFactory(provider=provider)
    return provider


@pytest.fixture
def merchant_client(db):
    client = Client()
    client.force_login(UserFactory(username="bad-input-merchant"))
    return client


def probe(client, url, params) -> int | str:
    if url.startswith("/api/"):
        reset_anonymous_throttle()
    try:
        return client.get(url, params).status_code
    except Exception as exc:  # the test client re-raises a view's exception; count it as the 500 it would be
        return f"500 ({type(exc).__name__}: {str(exc)[:80]})"


def failures(client, table, allowed) -> list[str]:
    found = []
    for url, names in table.items():
        cases = [{name: value} for name in names for value in BAD_VALUES]
        cases += [{name: ["1", "abc", HUGE]} for name in names]  # the same parameter three times
        cases += [{"p": FIFTY_SLUGS}, {"p": FIFTY_SLUGS.split(",")}, {"providers": FIFTY_SLUGS}]
        for params in cases:
            status = probe(client, url, params)
            if status not in allowed:
                shown = {k: (v if len(str(v)) < 60 else f"<{len(str(v))} chars>") for k, v in params.items()}
                found.append(f"GET {url} {shown} -> {status}")
    return found


def test_merchant_pages_answer_bad_parameters_with_a_page_or_400(client, seeded):
    # 200 (the page, bad values ignored or explained), 302 (compare normalises its URL), 400, 404 (unknown slug).
    assert failures(client, PAGES, allowed={200, 302, 400}) == []


def test_signed_in_pages_answer_bad_parameters_with_a_page_or_400(merchant_client, seeded):
    assert failures(merchant_client, {"/me/reviews/": ["page", "unknown"]}, allowed={200, 400}) == []


def test_api_answers_bad_parameters_with_json_400_or_a_result(client, seeded):
    # DRF answers an unreadable cursor with 404 "Invalid cursor"; everything else is 200 or a 400.
    assert failures(client, API, allowed={200, 400, 404}) == []


def test_api_errors_are_json(client, seeded):
    for params in ({"tier": "abc"}, {"providers": FIFTY_SLUGS}, {"cursor": "garbage"}):
        reset_anonymous_throttle()
        url = "/api/v1/compare/" if "providers" in params else "/api/v1/providers/"
        response = client.get(url, params)
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), (params, response["Content-Type"])
            assert response.json()["status"] == response.status_code


def test_fifty_slugs_to_compare_do_not_fail(client, seeded):
    response = client.get("/compare/", {"p": FIFTY_SLUGS})

    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("path", ["/providers/", "/compare/", "/api/v1/providers/", "/api/v1/compare/"])
def test_nul_in_the_query_string_is_refused_before_any_view(client, path):
    response = client.get(path, {"p": "\x00", "providers": "a\x00b", "q": "x"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json() == {
            "status": 400, "code": "invalid_query", "message": "The query string contains a NUL character.",
            "errors": [],
        }
