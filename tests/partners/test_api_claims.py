"""POST /api/v1/store-claims/{id}/verify/: scope `claims`, idempotent verify, reject with reason, clear 4xx."""
import pytest
from django.urls import reverse

from claims.models import ClaimEvent
from claims.services import store_claim_reject, store_claim_submit, store_claim_withdraw
from providers.models import Store
from tests.claims.conftest import merchant, png
from tests.factories import api_client, api_key, platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim():
    return store_claim_submit(user=merchant(), platform=platform("jd"), external_id="JD-501", store_name="京东自营店",
                              evidence=png())


@pytest.fixture
def partner():
    key, raw = api_key(scopes=("read", "claims"))
    return key, api_client(raw)


def url(pk):
    return reverse("api:store-claim-verify", kwargs={"pk": pk})


def test_a_partner_verifies_a_pending_claim_audited_with_its_key(claim, partner):
    key, http = partner

    response = http.post(url(claim.pk), {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "platform", "external_id", "store_name", "status", "reason")} == {
        "id": claim.pk, "platform": "jd", "external_id": "JD-501", "store_name": "京东自营店", "status": "verified",
        "reason": ""}
    assert set(body) == {"id", "platform", "external_id", "store_name", "status", "reason", "created_at",
                         "decided_at"}  # nothing about the merchant
    store = Store.objects.get(platform__code="jd", external_id="JD-501")
    assert list(store.merchants.all()) == [claim.user]
    event = ClaimEvent.objects.get(store_claim=claim, action="verified")
    assert (event.actor, event.actor_label) == (None, f"api-key:{key.prefix}")


def test_verifying_again_is_idempotent(claim, partner):
    _key, http = partner
    first = http.post(url(claim.pk), {"decision": "verify"}, format="json")
    second = http.post(url(claim.pk), {"decision": "verify"}, format="json")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert ClaimEvent.objects.filter(store_claim=claim, action="verified").count() == 1
    assert Store.objects.filter(external_id="JD-501").count() == 1


def test_a_partner_rejects_with_a_reason(claim, partner):
    _key, http = partner
    missing = http.post(url(claim.pk), {"decision": "reject"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == [{"field": "reason", "row": None, "message": "请填写驳回理由：认领人会看到它。",
                                         "code": "required"}]

    response = http.post(url(claim.pk), {"decision": "reject", "reason": "平台记录中该店铺不属于此商家"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", "平台记录中该店铺不属于此商家")


@pytest.mark.parametrize("final", ["rejected", "withdrawn"])
def test_a_rejected_or_withdrawn_claim_is_409(claim, partner, final):
    if final == "rejected":
        store_claim_reject(claim=claim, reason="不符", actor=None)
    else:
        store_claim_withdraw(claim=claim, user=claim.user)
    _key, http = partner

    response = http.post(url(claim.pk), {}, format="json")

    assert response.status_code == 409
    label = {"rejected": "已驳回", "withdrawn": "已撤回"}[final]
    assert response.json() == {"status": 409, "code": "claim_decided",
                               "message": f"此认领已是“{label}”状态，不能再改为“已核验”。", "errors": []}
    assert not Store.objects.filter(external_id="JD-501").exists()


def test_rejecting_a_verified_claim_is_409(claim, partner):
    _key, http = partner
    http.post(url(claim.pk), {}, format="json")
    response = http.post(url(claim.pk), {"decision": "reject", "reason": "晚了"}, format="json")
    assert response.status_code == 409


def test_an_unknown_claim_is_404(partner):
    _key, http = partner
    response = http.post(url(999999), {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_key_without_the_claims_scope_is_403_and_changes_nothing(claim):
    _key, raw = api_key(scopes=("read", "ingest", "webhooks"))
    response = api_client(raw).post(url(claim.pk), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_without_a_key_it_is_401(claim):
    assert api_client().post(url(claim.pk), {}, format="json").status_code == 401


def test_an_unknown_decision_is_400(claim, partner):
    _key, http = partner
    response = http.post(url(claim.pk), {"decision": "approve"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "decision"


def test_the_endpoint_is_in_the_schema_with_its_errors(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/store-claims/{id}/verify/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404", "409", "429"}
