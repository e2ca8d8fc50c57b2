"""provider.sanction_changed: the conduct ledger's sanction changes reach the partners that subscribed, through the
settings' CONDUCT_EVENT_TASKS (real eager Celery), the same signed deliveries, once each, never who complained."""
import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from conduct import services as conduct
from conduct.models import ConductEvent, Violation
from partners.after_response import runner
from partners.models import WebhookDelivery
from partners.services import EVENT_NAMESPACE, conduct_events_dispatch, webhook_subscription_create
from partners.tasks import conduct_events_dispatch_task
from tests.factories import ProviderFactory, api_client, api_key

pytestmark = pytest.mark.django_db
D = dt.date
SANCTION = "provider.sanction_changed"


def subscribe(url, *, events=(SANCTION,)):
    key, _raw = api_key(scopes=["webhooks"])
    return webhook_subscription_create(api_key=key, url=url, events=list(events))


def record(capture, provider, violation_type="store_access", reference="P-1"):
    """Record a violation decided today, run the after-commit work (the eager task) and the queued deliveries."""
    today = timezone.localdate()
    with capture(execute=True):
        violation = conduct.violation_record(
            provider=provider, violation_type=violation_type, occurred_on=today, decided_on=today,
            reference=reference, source=Violation.Source.ADMIN,
        )
    runner.run_here()
    return violation


def expected_payload(event, *, as_of, points):
    provider = event.provider
    return {
        "id": str(uuid.uuid5(EVENT_NAMESPACE, f"{SANCTION}:{event.pk}")),
        "type": SANCTION,
        "created_at": event.created_at.isoformat(),
        "data": {
            "provider": {"id": provider.pk, "slug": provider.slug, "name": provider.name,
                         "name_en": provider.name_en, "url": f"/api/v1/providers/{provider.slug}/"},
            "as_of": as_of.isoformat(),
            "from": event.from_value,
            "to": event.to_value,
            "points": points,
        },
    }


def sanction_events(provider):
    return list(ConductEvent.objects.filter(provider=provider, kind="sanction_changed").order_by("pk"))


def test_the_setting_names_the_partners_dispatch_task(settings):
    assert settings.CONDUCT_EVENT_TASKS == ["partners.tasks.conduct_events_dispatch_task"]
    assert conduct_events_dispatch_task.name == "partners.tasks.conduct_events_dispatch_task"


def test_a_violation_reaching_24_points_sends_one_signed_hidden_event_to_its_subscriber_only(
        receiver, django_capture_on_commit_callbacks):
    subscription = subscribe(receiver.url)
    subscribe(receiver.url, events=["provider.tier_changed", "provider.status_changed"])
    provider = ProviderFactory(slug="acme", name="爱克美", name_en="Acme")

    record(django_capture_on_commit_callbacks, provider)

    [event] = sanction_events(provider)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.subscription_id, delivery.event, delivery.status, delivery.attempts) == (
        subscription.pk, SANCTION, "succeeded", 1)
    [request] = receiver.requests
    assert request["headers"]["X-Webhook-Event"] == SANCTION
    assert request["headers"]["X-Webhook-Delivery"] == str(delivery.pk)
    assert receiver.json(0) == expected_payload(event, as_of=timezone.localdate(), points=24)
    assert (receiver.json(0)["data"]["from"], receiver.json(0)["data"]["to"]) == ("none", "hidden")
    assert delivery.payload == receiver.json(0)


def test_a_withdrawal_sends_hidden_to_none_and_an_unchanged_recomputation_sends_nothing(
        receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    provider = ProviderFactory()
    violation = record(django_capture_on_commit_callbacks, provider)

    with django_capture_on_commit_callbacks(execute=True):
        conduct.violation_withdraw(violation=violation, reason="申诉成立")
    runner.run_here()

    hidden, lifted = sanction_events(provider)
    assert [receiver.json(i) for i in range(len(receiver.requests))] == [
        expected_payload(hidden, as_of=timezone.localdate(), points=24),
        expected_payload(lifted, as_of=timezone.localdate(), points=0),
    ]
    assert (lifted.from_value, lifted.to_value) == ("hidden", "none")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert conduct.sanctions_apply(provider_ids=[provider.pk]) == []
    runner.run_here()
    assert callbacks == []
    assert WebhookDelivery.objects.count() == 2
    assert len(receiver.requests) == 2


def test_points_below_a_threshold_change_no_sanction_and_send_nothing(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    provider = ProviderFactory()

    record(django_capture_on_commit_callbacks, provider, violation_type="complaint_ignored")

    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("none", 6)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_the_day_applied_is_the_events_as_of_and_a_provider_out_of_the_directory_is_sent_too(
        receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    # Delisted by its rating: not in any list, yet partners still hear of its sanction.
    provider = ProviderFactory(status="delisted")
    Violation.objects.create(provider=provider, type="store_access", occurred_on=D(2025, 6, 10),
                             decided_on=D(2025, 6, 10), reference="P-1", points=24, source="import")

    for day in (D(2025, 6, 10), D(2025, 7, 9), D(2025, 7, 10)):
        with django_capture_on_commit_callbacks(execute=True):
            conduct.sanctions_apply(on=day, provider_ids=[provider.pk])
    runner.run_here()

    hidden, warned = sanction_events(provider)
    # After the 30 hidden days (10 June to 9 July) the year's 24 points still make a warning.
    assert [receiver.json(i) for i in range(len(receiver.requests))] == [
        expected_payload(hidden, as_of=D(2025, 6, 10), points=24),
        expected_payload(warned, as_of=D(2025, 7, 10), points=24),
    ]
    assert [(e.from_value, e.to_value) for e in (hidden, warned)] == [("none", "hidden"), ("hidden", "warning")]


def test_a_redelivered_task_sends_nothing_twice_and_other_kinds_are_ignored(receiver,
                                                                             django_capture_on_commit_callbacks):
    subscribe(receiver.url)
    provider = ProviderFactory()
    record(django_capture_on_commit_callbacks, provider)
    [event] = sanction_events(provider)
    recorded = ConductEvent.objects.get(provider=provider, kind="violation_recorded")

    with django_capture_on_commit_callbacks(execute=True):
        assert conduct_events_dispatch_task.delay([event.pk, recorded.pk], "2025-06-10").get() == 0
    runner.run_here()

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_dispatch_reads_a_fixed_number_of_queries_for_many_providers(receiver, django_assert_num_queries):
    subscribe(receiver.url)
    subscribe(receiver.url, events=[SANCTION, "provider.tier_changed"])
    events = [ConductEvent.objects.create(provider=ProviderFactory(), kind="sanction_changed", from_value="none",
                                          to_value="warning") for _ in range(5)]

    # Subscriptions, the events with their providers, the savepoint, the insert, the new rows, its release.
    with django_assert_num_queries(6):
        assert conduct_events_dispatch(event_ids=[e.pk for e in events], as_of=D(2025, 6, 10)) == 10


def test_a_partner_subscribes_to_the_event_through_the_api(receiver):
    _key, raw = api_key(scopes=["webhooks"])

    response = api_client(raw).post(reverse("api:webhook-list"), {"url": receiver.url, "events": [SANCTION]},
                                    format="json")

    assert response.status_code == 201, response.content
    assert response.json()["events"] == [SANCTION]
