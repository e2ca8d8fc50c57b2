"""The performance ingest of the partner API (ingest.api): all or nothing, idempotent, for keys with the ingest scope."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ratings.models import PendingRecompute, StorePerformance
from tests.factories import (
    EngagementFactory,
    StoreFactory,
    api_client,
    api_key,
    performance_row,
    reset_anonymous_throttle,
    table_counts,
)

pytestmark = pytest.mark.django_db

INGEST = reverse("api:performance")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    reset_anonymous_throttle()


@pytest.fixture
def ingest_client():
    _key, raw = api_key(scopes=["ingest"])
    return api_client(raw)


@pytest.fixture
def stores():
    """Two tmall stores, TM001 run by one provider and TM002 by another."""
    first = StoreFactory(external_id="TM001")
    second = StoreFactory(external_id="TM002")
    return [EngagementFactory(store=first).provider, EngagementFactory(store=second).provider]


def test_ingest_writes_rows_and_queues_a_recompute_of_the_stores_providers(ingest_client, stores,
                                                                           django_capture_on_commit_callbacks):
    rows = [performance_row(), performance_row(store_external_id="TM002", product_score=4)]

    with django_capture_on_commit_callbacks() as callbacks:
        response = ingest_client.post(INGEST, {"rows": rows}, format="json")

    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False,
                               "recompute_requested": 2}
    stored = StorePerformance.objects.get(store__external_id="TM002", period=dt.date(2025, 5, 1))
    assert (stored.product_score, stored.orders) == (Decimal("4.00"), 8200)
    assert set(PendingRecompute.objects.values_list("provider_id", flat=True)) == {p.pk for p in stores}
    assert len(callbacks) == 1  # one debounced recompute job is scheduled after commit


def test_ingest_dry_run_counts_and_writes_nothing(ingest_client, stores):
    before = table_counts()

    response = ingest_client.post(INGEST, {"rows": [performance_row()], "dry_run": True}, format="json")

    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "dry_run": True, "recompute_requested": 0}
    assert table_counts() == before


def test_ingest_is_all_or_nothing_with_every_row_error_listed(ingest_client, stores):
    before = table_counts()
    rows = [
        performance_row(),
        performance_row(store_external_id="TM002", period="2025-13", refund_rate="1.5"),
        performance_row(store_external_id="NOPE"),
        performance_row(),
    ]

    response = ingest_client.post(INGEST, {"rows": rows}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid_rows")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (1, "period", "invalid_month"),
        (1, "refund_rate", "out_of_range"),
        (2, "store_external_id", "unknown_store"),
        (3, "platform, store_external_id, period", "duplicate"),
    ]
    assert body["errors"][0]["message"] == "月份须为 YYYY-MM 格式：2025-13"
    assert table_counts() == before


def test_ingest_accepts_json_numbers_as_cells(ingest_client, stores):
    row = performance_row(product_score=4.8, orders=8200, refund_rate=0.035)

    response = ingest_client.post(INGEST, {"rows": [row]}, format="json")

    assert response.json()["created"] == 1
    assert StorePerformance.objects.get().refund_rate == Decimal("0.0350")


@pytest.mark.parametrize(("body", "field", "code"), [
    ({}, "rows", "required"),
    ({"rows": []}, "rows", "min_length"),
    ({"rows": ["x"]}, "rows.0", "not_a_dict"),
    ({"rows": [{}] * 5001}, "rows", "max_length"),
])
def test_ingest_rejects_a_malformed_body(ingest_client, body, field, code):
    response = ingest_client.post(INGEST, body, format="json")

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_ingest_takes_5000_rows_in_one_request(ingest_client):
    store_ids = [f"S{n:05d}" for n in range(1250)]
    for external_id in store_ids:
        StoreFactory(external_id=external_id)
    rows = [performance_row(store_external_id=s, period=f"2025-0{m}") for s in store_ids for m in (1, 2, 3, 4)]

    response = ingest_client.post(INGEST, {"rows": rows}, format="json")

    assert (response.status_code, response.json()["created"]) == (200, 5000)
    assert StorePerformance.objects.count() == 5000


def test_retry_with_the_same_idempotency_key_replays_the_first_response(ingest_client, stores):
    body = {"rows": [performance_row()]}
    first = ingest_client.post(INGEST, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-7")
    StorePerformance.objects.update(orders=1)  # a change a second write would undo

    retry = ingest_client.post(INGEST, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-7")

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json() == {"created": 1, "updated": 0, "unchanged": 0, "dry_run": False,
                                            "recompute_requested": 1}
    assert retry["Idempotent-Replayed"] == "true"
    assert StorePerformance.objects.get().orders == 1
    # Without the key the same body is simply applied again.
    assert ingest_client.post(INGEST, body, format="json").json()["updated"] == 1


def test_idempotency_key_reused_with_another_body_is_422(ingest_client, stores):
    ingest_client.post(INGEST, {"rows": [performance_row()]}, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    response = ingest_client.post(INGEST, {"rows": [performance_row(orders="1")]}, format="json",
                                  HTTP_IDEMPOTENCY_KEY="k1")

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert StorePerformance.objects.get().orders == 8200


def test_failed_ingest_is_not_remembered_so_a_fixed_retry_goes_through(ingest_client, stores):
    bad = ingest_client.post(INGEST, {"rows": [performance_row(period="May")]}, format="json",
                             HTTP_IDEMPOTENCY_KEY="k2")
    fixed = ingest_client.post(INGEST, {"rows": [performance_row()]}, format="json", HTTP_IDEMPOTENCY_KEY="k2")

    assert (bad.status_code, fixed.status_code, fixed.json()["created"]) == (400, 200, 1)


def test_idempotency_keys_are_per_api_key(stores):
    clients = [api_client(api_key(scopes=["ingest"])[1]) for _ in range(2)]
    body = {"rows": [performance_row()]}

    first = clients[0].post(INGEST, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = clients[1].post(INGEST, body, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert (first.json()["created"], second.json()["unchanged"]) == (1, 1)
    assert second.get("Idempotent-Replayed") is None


@pytest.mark.parametrize(("scopes", "status", "code"), [
    (None, 401, "not_authenticated"),
    (["read", "webhooks"], 403, "insufficient_scope"),
])
def test_ingest_needs_a_key_with_the_ingest_scope(stores, scopes, status, code):
    client = api_client(api_key(scopes=scopes)[1]) if scopes else api_client()

    response = client.post(INGEST, {"rows": [performance_row()]}, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert StorePerformance.objects.count() == 0
