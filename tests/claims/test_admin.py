"""The stewards' and graders' admin: pending claims listed, verify and reject-with-reason actions, by role only."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from claims.models import ClaimEvent
from claims.services import (
    provider_claim_submit,
    store_claim_submit,
    store_claim_verify,
)
from providers.models import Membership, Store
from tests.factories import (
    GRADERS,
    MODERATORS,
    STEWARDS,
    ProviderFactory,
    platform,
    staff_user,
)

from .conftest import CODE, merchant, png, staff_account

pytestmark = pytest.mark.django_db

STORE_CLAIMS = reverse("admin:claims_storeclaim_changelist")
PROVIDER_CLAIMS = reverse("admin:claims_providerclaim_changelist")


def store_claim(external_id="TM-1", name="花间集旗舰店", user=None):
    return store_claim_submit(user=user or merchant(), platform=platform("tmall"), external_id=external_id,
                              store_name=name, evidence=png())


def test_stewards_see_pending_claims_by_default(client):
    pending, done = store_claim("TM-1", "待审核店"), store_claim("TM-2", "已核验店")
    store_claim_verify(claim=done)
    client.force_login(staff_user(STEWARDS))

    body = client.get(STORE_CLAIMS).content.decode()
    assert "待审核店" in body and "已核验店" not in body
    assert "已核验店" in client.get(STORE_CLAIMS + "?status=all").content.decode()
    detail = client.get(reverse("admin:claims_storeclaim_change", args=[pending.pk])).content.decode()
    assert reverse("claims:store-claim-evidence", kwargs={"pk": pending.pk}) in detail


@pytest.mark.parametrize(("role", "status"), [(MODERATORS, 403), (GRADERS, 403), (None, 302)])
def test_other_staff_cannot_open_store_claims(client, role, status):
    store_claim()
    client.force_login(staff_user(role))
    # Staff in no role have no admin at all: the admin sends them to its sign-in page.
    assert client.get(STORE_CLAIMS).status_code == status


def test_a_steward_verifies_with_the_action_audited(client):
    claim = store_claim()
    steward = staff_user(STEWARDS)
    client.force_login(steward)

    response = client.post(STORE_CLAIMS, {"action": "verify_selected", ACTION_CHECKBOX_NAME: [claim.pk]})

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "verified"
    assert list(Store.objects.get(external_id="TM-1").merchants.all()) == [claim.user]
    assert ClaimEvent.objects.filter(store_claim=claim, action="verified", actor=steward).count() == 1


def test_reject_asks_for_a_reason_then_records_it(client):
    claim = store_claim()
    steward = staff_user(STEWARDS)
    client.force_login(steward)
    data = {"action": "reject_selected", ACTION_CHECKBOX_NAME: [claim.pk]}

    page = client.post(STORE_CLAIMS, data)
    assert page.status_code == 200 and "理由" in page.content.decode()
    empty = client.post(STORE_CLAIMS, {**data, "apply": "1", "reason": ""})
    assert empty.status_code == 200
    claim.refresh_from_db()
    assert claim.status == "pending"

    client.post(STORE_CLAIMS, {**data, "apply": "1", "reason": "截图模糊，看不到店铺ID"})

    claim.refresh_from_db()
    assert (claim.status, claim.reason) == ("rejected", "截图模糊，看不到店铺ID")
    assert ClaimEvent.objects.get(store_claim=claim, action="rejected").actor == steward


def test_a_grader_approves_a_provider_claim_and_the_account_becomes_owner(client):
    user, provider = staff_account(), ProviderFactory()
    claim = provider_claim_submit(user=user, provider=provider, credit_code=CODE, evidence=png("执照.png"))
    client.force_login(staff_user(GRADERS))
    assert str(claim.pk) in client.get(PROVIDER_CLAIMS).content.decode()

    client.post(PROVIDER_CLAIMS, {"action": "verify_selected", ACTION_CHECKBOX_NAME: [claim.pk]})

    assert Membership.objects.get(provider=provider, user=user).role == "owner"


def test_a_refused_approval_is_reported_and_changes_nothing(client):
    provider = ProviderFactory()
    first = provider_claim_submit(user=staff_account(), provider=provider, credit_code=CODE, evidence=png("a.png"))
    second = provider_claim_submit(user=staff_account(), provider=provider, credit_code=CODE, evidence=png("b.png"))
    client.force_login(staff_user(GRADERS))

    response = client.post(PROVIDER_CLAIMS, {"action": "verify_selected",
                                             ACTION_CHECKBOX_NAME: [first.pk, second.pk]}, follow=True)

    body = response.content.decode()
    assert "已核验 1 条认领。" in body
    assert "该服务商已有所有者" in body
    assert Membership.objects.filter(provider=provider).count() == 1


@pytest.mark.parametrize("role", [STEWARDS, MODERATORS])
def test_only_graders_open_provider_claims(client, role):
    client.force_login(staff_user(role))
    assert client.get(PROVIDER_CLAIMS).status_code == 403
