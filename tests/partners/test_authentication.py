"""API keys: hashed storage, Api-Key header, revocation, expiry, scopes, and throttling with Retry-After."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import ApiKey
from partners.selectors import api_key_hash
from partners.services import api_key_revoke
from tests.factories import api_client, api_key

pytestmark = pytest.mark.django_db

TIERS = reverse("api:tiers")
WEBHOOKS = reverse("api:webhook-list")


def rates(settings, **overrides):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **overrides},
    }


def test_a_key_is_stored_as_prefix_and_sha256_only():
    key, raw = api_key(scopes=["read", "ingest"])

    prefix, _dot, secret = raw.partition(".")
    stored = ApiKey.objects.get()
    assert (stored.prefix, stored.hashed_key) == (prefix, api_key_hash(raw))
    assert len(secret) >= 40
    assert secret not in str(ApiKey.objects.values().get())
    assert stored.scopes == {"read", "ingest"}


def test_a_valid_key_authenticates_and_records_its_use():
    key, raw = api_key()

    response = api_client(raw).get(TIERS)

    assert response.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.parametrize("header", [
    "Api-Key nothing-like-a-key", "Api-Key abc.def", "Api-Key", "Api-Key a b",
])
def test_malformed_or_unknown_keys_are_401_with_a_challenge(header):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(TIERS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Api-Key realm="api"'
    assert response.json()["code"] == "invalid_api_key"


def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused():
    _key, raw = api_key()
    prefix = raw.partition(".")[0]

    assert api_client(f"{prefix}.{'x' * 43}").get(TIERS).json()["code"] == "invalid_api_key"


def test_a_revoked_key_stops_working_at_once():
    key, raw = api_key()
    client = api_client(raw)
    assert client.get(TIERS).status_code == 200

    api_key_revoke(api_key=key)

    response = client.get(TIERS)
    assert (response.status_code, response.json()["code"]) == (401, "api_key_revoked")


def test_an_expired_key_is_refused():
    _key, raw = api_key(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = api_client(raw).get(TIERS)

    assert (response.status_code, response.json()["code"]) == (401, "api_key_expired")


def test_reads_need_the_read_scope_when_a_key_is_sent():
    _key, raw = api_key(scopes=["ingest"])

    response = api_client(raw).get(TIERS)

    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")


def test_webhooks_need_the_webhooks_scope_even_to_read():
    assert api_client().get(WEBHOOKS).status_code == 401
    assert api_client(api_key(scopes=["read"])[1]).get(WEBHOOKS).status_code == 403
    assert api_client(api_key(scopes=["webhooks"])[1]).get(WEBHOOKS).status_code == 200


def test_anonymous_reads_are_throttled_with_retry_after(settings):
    rates(settings, anon="3/min")
    client = api_client()

    statuses = [client.get(TIERS).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(TIERS)
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_each_key_has_its_own_budget_per_scope(settings):
    rates(settings, read="2/min", anon="1000/min")
    first, second = api_client(api_key()[1]), api_client(api_key()[1])

    assert [first.get(TIERS).status_code for _ in range(3)] == [200, 200, 429]
    # Another key, and anonymous callers, are not affected by the first key's use.
    assert second.get(TIERS).status_code == 200
    assert api_client().get(TIERS).status_code == 200


def test_forwarded_for_header_does_not_buy_a_fresh_anonymous_budget(settings):
    rates(settings, anon="1/min")
    client = api_client()

    assert client.get(TIERS).status_code == 200
    assert client.get(TIERS, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429


def test_a_key_is_not_a_django_user_and_has_no_admin_access():
    _key, raw = api_key(scopes=["read", "ingest", "webhooks"])

    response = api_client(raw).get("/admin/")

    assert response.status_code == 302  # to the login page: the header means nothing outside the API
