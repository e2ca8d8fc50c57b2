"""Webhook deliveries against a real receiver on 127.0.0.1: signature, retries, timeouts, disabling, dispatch."""
import datetime as dt
import hashlib
import hmac
import socket
import ssl
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from partners import http
from partners.after_response import runner
from partners.models import WebhookDelivery, WebhookSubscription
from partners.services import (
    webhook_backoff_seconds,
    webhook_delivery_attempt,
    webhook_events_dispatch,
    webhook_signature,
    webhook_subscription_create,
)
from partners.tasks import webhook_delivery_task
from ratings.models import RatingEvent
from ratings.services import ratings_recompute
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    RatingEventFactory,
    StorePerformanceFactory,
    api_key,
)
from tests.partners.conftest import PUBLIC_ADDRESS

pytestmark = pytest.mark.django_db


def subscribe(url, *, events=("provider.tier_changed", "provider.status_changed"), key=None, secret=None):
    key = key or api_key(scopes=["webhooks"])[0]
    return webhook_subscription_create(api_key=key, url=url, events=list(events), secret=secret)


def dispatch(events, capture):
    """Dispatch after commit, then run the queued attempts (retries too, without their backoff) as the runner would."""
    with capture(execute=True):
        created = webhook_events_dispatch(event_ids=[event.pk for event in events])
    runner.run_here()
    return created


def test_delivery_is_signed_over_timestamp_and_body(receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(receiver.url, secret="s3cret-for-the-test")
    provider = ProviderFactory(slug="acme", name="爱克美", name_en="Acme")
    event = RatingEventFactory(provider=provider, kind="tier", from_value="3", to_value="4",
                               period=dt.date(2025, 6, 1), reason="recompute 2025-06")

    assert dispatch([event], django_capture_on_commit_callbacks) == 1

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    expected = hmac.new(b"s3cret-for-the-test", headers["X-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["X-Signature"] == f"sha256={expected.hexdigest()}"
    assert (headers["X-Webhook-Event"], headers["Content-Type"]) == ("provider.tier_changed",
                                                                     "application/json; charset=utf-8")
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Webhook-Delivery"] == str(delivery.pk)
    assert request["path"] == "/hooks/directory"
    assert receiver.json(0) == {
        "id": str(delivery.event_id), "type": "provider.tier_changed", "created_at": event.created_at.isoformat(),
        "data": {"provider": {"slug": "acme", "name": "爱克美", "name_en": "Acme", "url": "/api/v1/providers/acme/"},
                 "period": "2025-06", "from": 3, "to": 4, "reason": "recompute 2025-06"},
    }
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert subscription.deliveries.count() == 1


def test_signature_function_matches_the_documented_recipe():
    body = b'{"a":1}'
    digest = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()

    assert webhook_signature(secret="k", timestamp=1700000000, body=body) == f"sha256={digest}"


def test_failed_attempts_are_retried_until_one_succeeds(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    receiver.replies = [500, 503]
    event = RatingEventFactory(kind="status", from_value="active", to_value="probation")

    dispatch([event], django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status, delivery.error) == ("succeeded", 3, 200, "")
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1
    assert receiver.json(2)["data"]["from"] == "active"
    assert WebhookSubscription.objects.get().failure_count == 0


def test_a_failed_attempt_schedules_the_next_with_exponential_backoff(receiver, settings):
    settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS = 60
    subscription = subscribe(receiver.url)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="provider.tier_changed", event_key="k", event_id="6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a001",
        payload={"type": "provider.tier_changed"},
    )
    receiver.replies = [502, 502]

    first = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert (first.status, first.attempts, first.error) == ("retrying", 1, "HTTP 502")
    assert (first.next_attempt_at - first.last_attempt_at).total_seconds() == pytest.approx(60, abs=1)
    second = webhook_delivery_attempt(delivery_id=delivery.pk)
    assert (second.next_attempt_at - second.last_attempt_at).total_seconds() == pytest.approx(120, abs=1)
    assert [webhook_backoff_seconds(attempt=n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_backoff_is_capped(settings):
    settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS = 60
    settings.PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS = 300

    assert [webhook_backoff_seconds(attempt=n) for n in (3, 4, 10)] == [240, 300, 300]


def test_a_timed_out_attempt_is_retried(receiver, settings, django_capture_on_commit_callbacks):
    settings.PARTNERS_WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe(receiver.url)
    receiver.replies = [("sleep", 1.0, 200)]

    dispatch([RatingEventFactory()], django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert len(receiver.requests) == 2


def test_subscription_is_disabled_after_repeated_failed_deliveries(receiver, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.PARTNERS_WEBHOOK_MAX_ATTEMPTS = 2
    settings.PARTNERS_WEBHOOK_DISABLE_AFTER_FAILURES = 2
    subscribe(receiver.url)
    receiver.replies = [500] * 10
    events = [RatingEventFactory(to_value=str(tier)) for tier in (4, 5, 6)]

    dispatch(events[:2], django_capture_on_commit_callbacks)

    subscription = WebhookSubscription.objects.get()
    assert list(subscription.deliveries.values_list("status", "attempts")) == [("failed", 2), ("failed", 2)]
    assert (subscription.is_active, subscription.failure_count) == (False, 2)
    assert subscription.disabled_reason == "连续 2 次投递失败，已自动停用。"
    assert len(receiver.requests) == 4
    # A disabled subscription gets nothing more.
    assert dispatch(events[2:], django_capture_on_commit_callbacks) == 0
    assert len(receiver.requests) == 4


def test_loopback_receivers_are_refused_without_the_setting(receiver, settings,
                                                             django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    dispatch([RatingEventFactory()], django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error.startswith("refused:")
    assert receiver.requests == []


def test_events_go_only_to_subscriptions_that_asked_for_them(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url, events=["provider.status_changed"])
    tier = RatingEventFactory(kind="tier")
    status = RatingEventFactory(kind="status", from_value="active", to_value="delisted")
    override = RatingEventFactory(kind="override")

    assert dispatch([tier, status, override], django_capture_on_commit_callbacks) == 1
    assert [receiver.json(0)["type"]] == ["provider.status_changed"]


def test_revoked_keys_and_keys_without_the_scope_get_no_deliveries(receiver, django_capture_on_commit_callbacks):
    from partners.services import api_key_revoke

    revoked = subscribe(receiver.url)
    api_key_revoke(api_key=revoked.api_key)

    assert dispatch([RatingEventFactory()], django_capture_on_commit_callbacks) == 0


def test_a_recompute_sends_its_tier_changes_once_even_when_rerun(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url, events=["provider.tier_changed"])
    provider = ProviderFactory(slug="acme")
    for _ in range(3):
        engagement = EngagementFactory(provider=provider, start_date=dt.date(2024, 1, 1))
        StorePerformanceFactory(store=engagement.store, period=dt.date(2025, 6, 1))

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            ratings_recompute(as_of=dt.date(2025, 6, 30))
        runner.run_here()

    provider.refresh_from_db()
    assert (provider.tier, provider.score) == (3, Decimal("4.10"))
    assert RatingEvent.objects.filter(kind="tier").count() == 1
    assert len(receiver.requests) == 1
    assert receiver.json(0)["data"] == {
        "provider": {"slug": "acme", "name": provider.name, "name_en": provider.name_en,
                     "url": "/api/v1/providers/acme/"},
        "period": "2025-06", "from": None, "to": 3, "reason": "recompute 2025-06 as of 2025-06-30",
    }


def test_recompute_dispatches_only_after_commit(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    provider = ProviderFactory()
    for _ in range(3):
        engagement = EngagementFactory(provider=provider)
        StorePerformanceFactory(store=engagement.store, period=dt.date(2025, 6, 1))

    with django_capture_on_commit_callbacks() as callbacks:
        ratings_recompute(as_of=dt.date(2025, 6, 30))

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []
    assert len(callbacks) >= 1


def test_task_does_nothing_for_a_finished_or_missing_delivery(receiver):
    subscription = subscribe(receiver.url)
    done = WebhookDelivery.objects.create(subscription=subscription, event="provider.tier_changed", event_key="d",
                                          event_id="6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a002", payload={},
                                          status="succeeded")

    assert webhook_delivery_task.run(str(done.pk)) is None
    assert webhook_delivery_task.run("6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a0ff") is None
    assert receiver.requests == []


@pytest.mark.parametrize(("url", "code"), [
    ("ftp://example.com/hook", "invalid_scheme"),
    ("http://127.0.0.1:8000/hook", "private_address"),
    ("http://10.1.2.3/hook", "private_address"),
    ("https://192.168.0.10/hook", "private_address"),
    ("http://[::1]/hook", "private_address"),
    ("http://169.254.169.254/latest/meta-data", "private_address"),
    ("http://localhost/hook", "private_address"),
    ("http://printer.local/hook", "private_address"),
    ("https://user:pw@example.com/hook", "invalid_url"),
])
def test_webhook_urls_must_be_http_on_public_addresses(settings, url, code):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(ValidationError) as caught:
        http.webhook_url_check(url)

    assert caught.value.code == code


def test_public_urls_and_private_ones_with_the_setting_are_accepted(settings, fake_dns):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    fake_dns.answer("hooks.partner.example", PUBLIC_ADDRESS, "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    http.webhook_url_check("https://hooks.partner.example/directory")
    http.webhook_url_check("http://8.8.8.8:8080/x")
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    http.webhook_url_check("http://127.0.0.1:9/x")


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True),
    ("203.0.113.7", False),  # TEST-NET: documentation range, not routable
    ("100.64.0.1", False),  # shared address space (carrier NAT)
    ("0.0.0.0", False),
    ("224.0.0.1", False),
    ("2606:4700:4700::1111", True),
    ("::1", False),
    ("::", False),
    ("fe80::1%eth0", False),
    ("fc00::1", False),
    ("ff02::1", False),
    # IPv4-mapped: the socket connects to the IPv4 itself.
    ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False),
    ("::ffff:8.8.8.8", True),
    # IPv4-compatible (deprecated) and SIIT-translated: no public receiver has one, refused whatever they carry.
    ("::127.0.0.1", False),
    ("::10.0.0.1", False),
    ("::8.8.8.8", False),
    ("::ffff:0:127.0.0.1", False),
    # NAT64 well-known prefix (what DNS64 answers): the translator connects to the embedded IPv4.
    ("64:ff9b::7f00:1", False),
    ("64:ff9b::a9fe:a9fe", False),  # 169.254.169.254, the cloud metadata service
    ("64:ff9b::c0a8:1", False),
    ("64:ff9b::808:808", True),
    # Local-use NAT64 (RFC 8215): a local translator's network, refused outright.
    ("64:ff9b:1::a00:1", False),
    ("64:ff9b:1::808:808", False),
    # 6to4: a relay forwards to the IPv4 in bits 16–48.
    ("2002:7f00:1::1", False),
    ("2002:a00:1::1", False),
    ("2002:c0a8:101::1", False),
    ("2002:808:808::1", True),
    # Teredo: server and (inverted) client IPv4; all of 2001::/23 is special-purpose anyway.
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # client 127.0.0.1
    ("2001:0:a00:1:8000:63bf:f7f7:f7f7", False),  # server 10.0.0.1, client 8.8.8.8
    # ISATAP interface identifiers under a public prefix lead to the IPv4 in the last 32 bits.
    ("2001:4860::5efe:10.0.0.1", False),
    ("2001:4860::200:5efe:127.0.0.1", False),
    ("2001:4860::5efe:8.8.8.8", True),
])
def test_addresses_are_public_only_when_they_and_any_ipv4_they_embed_are(address, public):
    assert http.address_is_public(address) is public


@pytest.mark.parametrize("host", [
    "[64:ff9b::7f00:1]", "[2002:a00:1::1]", "[::127.0.0.1]", "[::ffff:10.0.0.1]",
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",
    # IPv4 spellings ipaddress does not read but the resolver does: refused for the address they mean.
    "127.1", "2130706433", "0x7f000001", "0177.0.0.1",
])
def test_webhook_urls_on_ipv6_forms_and_odd_spellings_of_private_addresses_are_refused(settings, host):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(ValidationError) as caught:
        http.webhook_url_check(f"http://{host}:8080/hook")

    assert caught.value.code == "private_address"


@pytest.mark.parametrize("answer", [
    ["10.0.0.5"],
    ["127.0.0.1"],
    [PUBLIC_ADDRESS, "192.168.1.20"],  # one private answer among public ones is enough
    ["64:ff9b::a00:5"],  # a DNS64 resolver's rendering of 10.0.0.5
    ["::ffff:169.254.169.254"],
])
def test_registering_a_host_name_that_resolves_to_a_private_address_is_refused(settings, fake_dns, answer):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    fake_dns.answer("hooks.partner.example", *answer)

    with pytest.raises(ValidationError) as caught:
        subscribe("https://hooks.partner.example/directory")

    assert [e.code for e in caught.value.error_dict["url"]] == ["private_address"]
    assert fake_dns.lookups == ["hooks.partner.example"]
    assert WebhookSubscription.objects.count() == 0


def test_registering_a_host_name_that_does_not_resolve_is_refused(settings, fake_dns):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(ValidationError) as caught:
        subscribe("https://nowhere.partner.example/directory")

    assert [e.code for e in caught.value.error_dict["url"]] == ["unresolvable_host"]


def test_delivery_connects_to_the_address_it_checked_even_if_dns_then_answers_otherwise(receiver, settings,
                                                                                       fake_dns, monkeypatch):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # The check's lookup answers a public address; any later lookup (a rebinding attacker's DNS) answers loopback.
    fake_dns.answer("hooks.partner.example", PUBLIC_ADDRESS)
    fake_dns.answer("hooks.partner.example", "127.0.0.1")
    connected_to = []
    real_create_connection = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected_to.append(address)
        # The receiver on 127.0.0.1 stands in for the public host, so the request can be seen arriving.
        return real_create_connection(("127.0.0.1", receiver.port), *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    url = f"http://hooks.partner.example:{receiver.port}/hooks/directory"

    response = http.webhook_post(url=url, body=b"{}", headers={"Content-Type": "application/json"}, timeout=5)

    assert response.status == 200
    assert connected_to == [(PUBLIC_ADDRESS, receiver.port)]
    assert fake_dns.lookups == ["hooks.partner.example"]
    assert receiver.requests[0]["headers"]["Host"] == f"hooks.partner.example:{receiver.port}"


def test_https_delivery_connects_to_the_checked_address_with_the_host_name_for_sni_and_certificate(
    settings, fake_dns, monkeypatch,
):
    settings.PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    fake_dns.answer("hooks.partner.example", PUBLIC_ADDRESS)
    fake_dns.answer("hooks.partner.example", "10.0.0.5")
    connected_to, wrapped_for = [], []

    class Context(ssl.SSLContext):
        def wrap_socket(self, sock, server_hostname=None, **kwargs):
            wrapped_for.append((server_hostname, self.check_hostname, self.verify_mode))
            raise ssl.SSLError("handshake not run in this test")

    def create_connection(address, *args, **kwargs):
        connected_to.append(address)
        return unconnected

    unconnected = socket.socket()

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(ssl, "create_default_context", lambda: Context(ssl.PROTOCOL_TLS_CLIENT))

    with pytest.raises(http.WebhookTransportError):
        http.webhook_post(url="https://hooks.partner.example/directory", body=b"{}", headers={}, timeout=5)

    assert connected_to == [(PUBLIC_ADDRESS, 443)]
    assert wrapped_for == [("hooks.partner.example", True, ssl.CERT_REQUIRED)]
    assert unconnected.fileno() == -1  # closed when the handshake failed
