"""POST /api/v1/violations/: all rows or none, idempotent, the ledger applied at once; scope `ingest` only."""
import pytest
from django.urls import reverse

from conduct.models import Violation
from providers.models import Provider
from tests.conduct.conftest import today  # noqa: F401 (the pinned local day)
from tests.factories import ProviderFactory, api_client, api_key

pytestmark = pytest.mark.django_db
URL = reverse("api:violations")


def row(**cells):
    return {"provider_slug": "acme", "type": "store_access", "occurred_on": "2025-06-01", "decided_on": "2025-06-02",
            "reference": "P-1", "status": "upheld", **cells}


@pytest.fixture
def client():
    _key, raw = api_key(scopes=["ingest"])
    return api_client(raw)


def test_push_writes_applies_the_ledger_and_a_retry_changes_nothing(client, today):  # noqa: F811
    ProviderFactory(slug="acme")
    body = {"rows": [row(), row(reference="P-2", type="over_promise")]}
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, first.json()) == (200, {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False})
    assert Provider.objects.get(slug="acme").sanction == "hidden"
    replay = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (replay.json(), replay["Idempotent-Replayed"]) == (first.json(), "true")
    again = client.post(URL, body, format="json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2, "dry_run": False}
    assert set(Violation.objects.values_list("source", flat=True)) == {"api"}


def test_a_bad_row_writes_nothing_and_names_row_and_field(client, today):  # noqa: F811
    ProviderFactory(slug="acme")
    response = client.post(URL, {"rows": [row(), row(reference="P-2", provider_slug="ghost"),
                                          row(reference="P-3", decided_on="2025-05-01")]}, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (1, "provider_slug", "unknown_provider"), (2, "decided_on", "invalid_date")]
    assert Violation.objects.count() == 0


def test_a_read_key_cannot_push(today):  # noqa: F811
    _key, raw = api_key(scopes=["read"])
    assert api_client(raw).post(URL, {"rows": [row()]}, format="json").status_code == 403
    assert api_client().post(URL, {"rows": [row()]}, format="json").status_code in (401, 403)
