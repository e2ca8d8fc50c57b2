"""partners.api.webhooks: each key manages and sees only its own subscriptions, URLs checked, secret shown once."""
import pytest
from django.urls import reverse

from partners.models import WebhookDelivery, WebhookSubscription
from tests.factories import api_client, api_key
from tests.partners.conftest import PUBLIC_ADDRESS

pytestmark = pytest.mark.django_db

WEBHOOKS = reverse("api:webhook-list")
URL = "https://hooks.partner.example/directory"


def detail(subscription_id):
    return reverse("api:webhook-detail", kwargs={"pk": subscription_id})


@pytest.fixture(autouse=True)
def _partner_dns(fake_dns):
    """The partner's host name resolves to a public address (registration resolves it)."""
    fake_dns.answer("hooks.partner.example", PUBLIC_ADDRESS)
    return fake_dns


@pytest.fixture
def partner():
    key, raw = api_key(scopes=["webhooks"])
    return key, api_client(raw)


def test_create_generates_a_secret_shown_only_in_the_create_response(partner):
    key, client = partner

    response = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json")

    assert response.status_code == 201
    body = response.json()
    subscription = WebhookSubscription.objects.get()
    assert body["secret"] == subscription.secret
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert {k: body[k] for k in ("id", "url", "events", "is_active", "failure_count")} == {
        "id": str(subscription.pk), "url": URL, "events": ["provider.tier_changed"], "is_active": True,
        "failure_count": 0,
    }
    assert subscription.api_key == key
    assert "secret" not in client.get(detail(subscription.pk)).json()
    assert "secret" not in client.get(WEBHOOKS).json()["results"][0]


def test_a_partner_may_bring_its_own_secret(partner):
    _key, client = partner

    client.post(WEBHOOKS, {"url": URL, "events": ["provider.status_changed"], "secret": "x" * 32}, format="json")

    assert WebhookSubscription.objects.get().secret == "x" * 32


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({"url": "http://127.0.0.1/x", "events": ["provider.tier_changed"]}, "url", "private_address"),
    ({"url": "ftp://partner.example/x", "events": ["provider.tier_changed"]}, "url", "invalid_scheme"),
    ({"url": URL, "events": []}, "events", "min_length"),
    ({"url": URL, "events": ["provider.created"]}, "events.0", "invalid_choice"),
    ({"url": URL, "events": ["provider.tier_changed"], "secret": "short"}, "secret", "min_length"),
])
def test_create_rejects_bad_input(partner, payload, field, code):
    _key, client = partner

    response = client.post(WEBHOOKS, payload, format="json")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert WebhookSubscription.objects.count() == 0


def test_create_refuses_a_host_name_that_resolves_to_a_private_address(partner, fake_dns):
    _key, client = partner
    fake_dns.answer("rebind.partner.example", "169.254.169.254")

    response = client.post(WEBHOOKS, {"url": "https://rebind.partner.example/x", "events": ["provider.tier_changed"]},
                           format="json")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("url", "private_address")]
    assert WebhookSubscription.objects.count() == 0


def test_pausing_does_not_resolve_the_url_again(partner, fake_dns):
    _key, client = partner
    created = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json").json()
    lookups = len(fake_dns.lookups)

    response = client.patch(detail(created["id"]), {"is_active": False}, format="json")

    assert response.status_code == 200
    assert len(fake_dns.lookups) == lookups


def test_each_key_sees_and_changes_only_its_own_subscriptions(partner):
    _key, client = partner
    mine = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json").json()
    other_key, other_raw = api_key(scopes=["webhooks"])
    other = api_client(other_raw)
    theirs = other.post(WEBHOOKS, {"url": URL + "/b", "events": ["provider.tier_changed"]}, format="json").json()

    assert [row["id"] for row in client.get(WEBHOOKS).json()["results"]] == [mine["id"]]
    assert client.get(detail(theirs["id"])).status_code == 404
    assert client.patch(detail(theirs["id"]), {"url": URL}, format="json").status_code == 404
    assert client.delete(detail(theirs["id"])).status_code == 404
    assert client.get(reverse("api:webhook-deliveries", kwargs={"pk": theirs["id"]})).status_code == 404
    assert WebhookSubscription.objects.get(pk=theirs["id"]).url == URL + "/b"


def test_patch_changes_events_and_reenabling_clears_failures(partner):
    _key, client = partner
    created = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json").json()
    WebhookSubscription.objects.filter(pk=created["id"]).update(is_active=False, failure_count=5,
                                                                disabled_reason="连续 5 次投递失败，已自动停用。")

    response = client.patch(detail(created["id"]), {
        "events": ["provider.status_changed", "provider.tier_changed"], "is_active": True}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert (body["events"], body["is_active"], body["failure_count"], body["disabled_reason"]) == (
        ["provider.status_changed", "provider.tier_changed"], True, 0, "")


def test_delete_removes_the_subscription(partner):
    _key, client = partner
    created = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json").json()

    assert client.delete(detail(created["id"])).status_code == 204
    assert WebhookSubscription.objects.count() == 0


def test_deliveries_are_listed_newest_first(partner):
    key, client = partner
    created = client.post(WEBHOOKS, {"url": URL, "events": ["provider.tier_changed"]}, format="json").json()
    subscription = WebhookSubscription.objects.get(pk=created["id"])
    made = [
        WebhookDelivery.objects.create(subscription=subscription, event="provider.tier_changed", event_key=f"k{n}",
                                       event_id=f"6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a0{n:02d}",
                                       payload={"n": n}, status="succeeded", attempts=1, response_status=200)
        for n in range(3)
    ]

    body = client.get(reverse("api:webhook-deliveries", kwargs={"pk": created["id"]}), {"page_size": 2}).json()

    assert [row["payload"] for row in body["results"]] == [{"n": 2}, {"n": 1}]
    rest = client.get(body["next"]).json()
    assert [row["id"] for row in rest["results"]] == [str(made[0].pk)]
    assert set(rest["results"][0]) == {"id", "event", "event_id", "status", "attempts", "response_status", "error",
                                       "payload", "created_at", "last_attempt_at", "next_attempt_at", "delivered_at"}


def test_a_key_may_hold_a_limited_number_of_subscriptions(partner, settings):
    settings.PARTNERS_WEBHOOKS_PER_KEY = 2
    _key, client = partner
    statuses = [client.post(WEBHOOKS, {"url": f"{URL}/{n}", "events": ["provider.tier_changed"]},
                            format="json").status_code for n in range(3)]

    assert statuses == [201, 201, 400]


def test_a_malformed_subscription_id_is_404(partner):
    _key, client = partner

    assert client.get(detail("not-a-uuid")).status_code == 404
