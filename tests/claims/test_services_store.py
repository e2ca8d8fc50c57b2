"""Store claims: submit, verify (steward or partner), reject with a reason, withdraw; each audited."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account
from claims.models import ClaimEvent, ClaimStatus, StoreClaim
from claims.services import (
    store_claim_reject,
    store_claim_submit,
    store_claim_verify,
    store_claim_withdraw,
)
from claims.states import ClaimStateError
from providers.models import Store
from tests.factories import STEWARDS, StoreFactory, UserFactory, platform, staff_user

from .conftest import PDF, account, merchant, png

pytestmark = pytest.mark.django_db


def submit(user, external_id="TM-1001", name="花间集旗舰店", evidence=None, code="tmall"):
    return store_claim_submit(user=user, platform=platform(code), external_id=external_id, store_name=name,
                              evidence=evidence or png())


def events(claim):
    return list(claim.events.order_by("pk").values_list("action", "actor_id", "actor_label", "reason"))


def test_a_claim_to_a_new_store_is_pending_and_creates_no_store(evidence_count):
    user = merchant()
    before = evidence_count()

    claim = submit(user, external_id=" TM-1001 ", name=" 花间集旗舰店 ")

    claim.refresh_from_db()
    assert (claim.status, claim.external_id, claim.store_name, claim.store_id) == (
        "pending", "TM-1001", "花间集旗舰店", None)
    assert claim.evidence_type == "image/png"
    assert claim.evidence.name.startswith("evidence/storeclaim/") and claim.evidence.name.endswith(".png")
    assert "后台截图" not in claim.evidence.name
    assert evidence_count() == before + 1
    assert not Store.objects.filter(external_id="TM-1001").exists()
    assert events(claim) == [("submitted", user.pk, "", "")]


def test_a_claim_to_an_existing_store_points_at_it():
    store = StoreFactory(platform=platform("jd"), external_id="JD-77")
    claim = submit(merchant(), external_id="JD-77", code="jd")
    assert claim.store_id == store.pk


def test_verifying_creates_the_store_once_and_links_the_account():
    user, steward = merchant(), staff_user(STEWARDS)
    claim = submit(user)

    verified = store_claim_verify(claim=claim, actor=steward)

    store = Store.objects.get(platform__code="tmall", external_id="TM-1001")
    assert (verified.status, verified.store_id, store.name) == ("verified", store.pk, "花间集旗舰店")
    assert list(store.merchants.all()) == [user]
    assert events(claim) == [("submitted", user.pk, "", ""), ("verified", steward.pk, "", "")]


def test_a_second_account_verified_for_the_same_store_shares_it_without_a_duplicate():
    first, second = merchant(), merchant()
    store_claim_verify(claim=submit(first), actor=None, actor_label="api-key:abc")
    store_claim_verify(claim=submit(second, name="别的名字"), actor=None, actor_label="api-key:abc")

    store = Store.objects.get(platform__code="tmall", external_id="TM-1001")
    assert Store.objects.filter(external_id="TM-1001").count() == 1
    assert store.name == "花间集旗舰店"  # the first verified claim named it; later claims do not rename it
    assert set(store.merchants.all()) == {first, second}


def test_a_store_imported_after_the_claim_is_the_one_linked():
    claim = submit(merchant())
    imported = StoreFactory(platform=platform("tmall"), external_id="TM-1001", name="导入的名称")

    store_claim_verify(claim=claim)

    claim.refresh_from_db()
    assert claim.store_id == imported.pk
    assert Store.objects.filter(external_id="TM-1001").count() == 1


def test_verifying_twice_is_idempotent_with_one_event():
    claim = submit(merchant())
    store_claim_verify(claim=claim, actor_label="api-key:abc")
    again = store_claim_verify(claim=claim, actor_label="api-key:abc")
    assert again.status == "verified"
    assert [e[0] for e in events(claim)] == ["submitted", "verified"]


def test_reject_needs_a_reason_and_records_it():
    claim, steward = submit(merchant()), staff_user(STEWARDS)
    with pytest.raises(ValidationError) as error:
        store_claim_reject(claim=claim, reason="   ", actor=steward)
    assert error.value.message_dict == {"reason": ["请填写驳回理由：认领人会看到它。"]}

    store_claim_reject(claim=claim, reason="截图看不到店铺ID", actor=steward)

    claim.refresh_from_db()
    assert (claim.status, claim.reason) == ("rejected", "截图看不到店铺ID")
    assert claim.decided_at is not None
    assert events(claim)[-1] == ("rejected", steward.pk, "", "截图看不到店铺ID")
    assert not Store.objects.filter(external_id="TM-1001").exists()


@pytest.mark.parametrize("final", ["rejected", "withdrawn"])
def test_a_decided_claim_cannot_be_verified(final):
    user = merchant()
    claim = submit(user)
    if final == "rejected":
        store_claim_reject(claim=claim, reason="不符", actor=None)
    else:
        store_claim_withdraw(claim=claim, user=user)
    with pytest.raises(ClaimStateError) as error:
        store_claim_verify(claim=claim)
    label = {"rejected": "已驳回", "withdrawn": "已撤回"}[final]
    assert str(error.value) == f"此认领已是“{label}”状态，不能再改为“已核验”。"
    assert not Store.objects.filter(external_id="TM-1001").exists()


def test_only_the_claimant_withdraws_and_only_while_pending():
    user, other = merchant(), merchant()
    claim = submit(user)
    with pytest.raises(PermissionDenied):
        store_claim_withdraw(claim=claim, user=other)

    store_claim_withdraw(claim=claim, user=user)

    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert events(claim)[-1] == ("withdrawn", user.pk, "", "")
    with pytest.raises(ClaimStateError):
        store_claim_withdraw(claim=claim, user=user)


def test_one_pending_claim_per_account_and_store_then_a_new_one_after_rejection(evidence_count):
    user = merchant()
    first = submit(user)
    before, rows = evidence_count(), StoreClaim.objects.count()
    with pytest.raises(ValidationError) as error:
        submit(user)
    assert error.value.messages == ["您已有一条该店铺的待审核认领。"]
    assert (evidence_count(), StoreClaim.objects.count()) == (before, rows)

    store_claim_reject(claim=first, reason="不清晰", actor=None)
    assert submit(user).status == "pending"
    # Another account may claim the same store at the same time.
    assert submit(merchant()).status == "pending"


def test_a_store_already_linked_to_the_account_is_not_claimed_again():
    store = StoreFactory(platform=platform("tmall"), external_id="TM-9")
    user = merchant()
    store.merchants.add(user)
    with pytest.raises(ValidationError) as error:
        submit(user, external_id="TM-9")
    assert error.value.messages == ["该店铺已关联到您的账号，无需再次认领。"]


@pytest.mark.parametrize(("make_user", "message"), [
    (lambda: UserFactory(email_verified=False), "请先验证您的邮箱地址，然后再提交认领。"),
    (lambda: account(Account.Kind.PROVIDER_STAFF), "只有商家账号可以认领店铺。"),
    (lambda: UserFactory(), "只有商家账号可以认领店铺。"),  # no account kind (made in the admin)
])
def test_only_verified_merchant_accounts_claim(make_user, message, evidence_count):
    before = evidence_count()
    with pytest.raises(ValidationError) as error:
        submit(make_user())
    assert error.value.messages == [message]
    assert (StoreClaim.objects.count(), ClaimEvent.objects.count(), evidence_count()) == (0, 0, before)


@pytest.mark.parametrize(("upload", "message"), [
    (png("shot.png", b"<script>alert(1)</script>"), "只接受 PNG、JPEG 或 PDF 文件（按文件内容判断）。"),
    (png("licence.png", PDF), "文件扩展名 “.png” 与内容（application/pdf）不符。"),
    (png("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024)), "文件过大：5.0 MB，上限 5 MB。"),
])
def test_bad_evidence_is_refused_with_the_reason_and_nothing_is_stored(upload, message, evidence_count):
    before = evidence_count()
    with pytest.raises(ValidationError) as error:
        submit(merchant(), evidence=upload)
    assert error.value.message_dict == {"evidence": [message]}
    assert (StoreClaim.objects.count(), ClaimEvent.objects.count(), evidence_count()) == (0, 0, before)


def test_a_failure_after_the_file_was_stored_deletes_it(evidence_count, monkeypatch):
    import claims.services

    def broken_event(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(claims.services, "_event", broken_event)
    before = evidence_count()
    with pytest.raises(RuntimeError):
        submit(merchant())
    assert (StoreClaim.objects.count(), evidence_count()) == (0, before)


def test_missing_fields_are_named():
    with pytest.raises(ValidationError) as error:
        submit(merchant(), external_id=" ", name="")
    assert set(error.value.message_dict) == {"external_id", "store_name"}


def test_every_status_has_its_moves_and_no_others():
    from claims.states import CLAIM_MOVES

    assert CLAIM_MOVES == {
        ClaimStatus.PENDING: {ClaimStatus.VERIFIED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN},
        ClaimStatus.VERIFIED: set(), ClaimStatus.REJECTED: set(), ClaimStatus.WITHDRAWN: set(),
    }
