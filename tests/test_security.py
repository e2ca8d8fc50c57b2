"""Security headers, a Content-Security-Policy without inline script, and login rate limiting."""
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory
from tests.test_url_walk import clients, dataset, get, walk  # noqa: F401 (dataset is a fixture)

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("url", ["/", "/providers/", "/compare/", "/tiers/", "/accounts/login/", "/api/docs/"])
def test_pages_send_the_security_headers(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_api_responses_carry_the_policy_too(client):
    response = client.get("/api/v1/providers/")

    assert "unsafe-inline" not in " ".join(csp(response)["script-src"])


def test_admin_relaxes_styles_only(admin_client):
    policy = csp(admin_client.get("/admin/"))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_no_policy_anywhere_allows_inline_or_eval_script(client, dataset):
    found, _ = walk(dataset)
    for item in found:
        response = get(client, item.url)
        script = " ".join(csp(response).get("script-src", []))
        assert "unsafe-inline" not in script and "unsafe-eval" not in script, item.url


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_no_html_page_has_inline_script(client, dataset, who):
    http = clients(client, dataset)[who]
    found, _ = walk(dataset)
    pages = 0
    for item in found:
        if item.is_admin:
            continue
        response = get(http, item.url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode("utf-8", "replace")
        assert not INLINE_SCRIPT.search(html), f"{who} {item.url}: inline <script> {INLINE_SCRIPT.search(html)[0]}"
        assert not EVENT_HANDLER.search(html), f"{who} {item.url}: inline handler {EVENT_HANDLER.search(html)[0]}"
        assert "javascript:" not in html.lower(), f"{who} {item.url}: javascript: URL"
    assert pages >= 5


def test_swagger_ui_loads_its_init_script_from_a_url(client):
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)

    assert not INLINE_SCRIPT.search(html)
    init = next(src for src in sources if "script" in src and "/api/docs/" in src)
    script = client.get(init.replace("&amp;", "&"))
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert all(src.startswith("/") for src in sources), "Swagger UI must not load from a CDN"


def test_sixth_wrong_password_for_one_username_is_blocked(client):
    cache.clear()
    UserFactory(username="target")
    url = reverse("login")
    statuses = [
        client.post(url, {"username": "target", "password": f"wrong-{n}"}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(6)
    ]

    assert statuses[:5] == [200] * 5, statuses
    assert statuses[5] in (403, 429), statuses
    # Another account is not affected by the first one's lockout.
    assert client.post(url, {"username": "someone-else", "password": "x"}).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_every_page_refuses_a_post_without_a_csrf_token(dataset, who):
    from django.test import Client

    http = Client(enforce_csrf_checks=True)
    if who == "merchant":
        http.force_login(dataset["merchant"])
    found, _ = walk(dataset)
    for item in found:
        if item.is_api:  # API keys, not cookies: nothing for a forged form to ride on
            continue
        response = http.post(item.url, {"rating": 1, "body": "x", "next": "/", "language": "en"})
        assert response.status_code in (403, 405), f"{who} POST {item.url} -> {response.status_code}"
