"""Provider claims: the code checked, first approved account the owner, one code backs one provider; audited."""
import pytest
from django.core.exceptions import ValidationError

from claims.models import ClaimEvent, ProviderClaim, ProviderCreditCode
from claims.services import (
    provider_claim_approve,
    provider_claim_reject,
    provider_claim_submit,
    provider_claim_withdraw,
)
from claims.states import ClaimStateError
from providers.models import Membership, Provider
from tests.factories import GRADERS, ProviderFactory, provider_staff, staff_user

from .conftest import CODE, OTHER_CODE, merchant, png, staff_account

pytestmark = pytest.mark.django_db


def submit(user, provider, code=CODE, evidence=None):
    return provider_claim_submit(user=user, provider=provider, credit_code=code, evidence=evidence or png("执照.png"))


def roles(provider):
    return list(Membership.objects.filter(provider=provider).values_list("user_id", "role"))


def test_a_claim_is_pending_with_the_normalised_code():
    user, provider = staff_account(), ProviderFactory()
    claim = submit(user, provider, code=" 91350100m000100y43 ")
    assert (claim.status, claim.credit_code, claim.evidence_type) == ("pending", CODE, "image/png")
    assert list(claim.events.values_list("action", "actor_id")) == [("submitted", user.pk)]
    assert roles(provider) == []


def test_approval_records_the_code_and_makes_the_account_owner():
    user, provider, grader = staff_account(), ProviderFactory(), staff_user(GRADERS)
    claim = submit(user, provider)

    provider_claim_approve(claim=claim, actor=grader)

    claim.refresh_from_db()
    assert claim.status == "verified"
    assert roles(provider) == [(user.pk, "owner")]
    assert ProviderCreditCode.objects.get(provider=provider).code == CODE
    assert list(claim.events.order_by("pk").values_list("action", "actor_id")) == [
        ("submitted", user.pk), ("verified", grader.pk)]


def test_a_provider_with_an_owner_takes_no_more_claims():
    provider = ProviderFactory()
    provider_staff(provider, role="owner")
    with pytest.raises(ValidationError) as error:
        submit(staff_account(), provider)
    assert error.value.messages == ["该服务商已有所有者：请联系所有者在服务商后台邀请您加入团队。"]


def test_of_two_pending_claims_only_the_first_approved_becomes_owner():
    provider, grader = ProviderFactory(), staff_user(GRADERS)
    first, second = submit(staff_account(), provider), submit(staff_account(), provider)
    provider_claim_approve(claim=first, actor=grader)

    with pytest.raises(ValidationError) as error:
        provider_claim_approve(claim=second, actor=grader)

    assert error.value.messages == ["该服务商已有所有者：请联系所有者在服务商后台邀请您加入团队。"]
    second.refresh_from_db()
    assert second.status == "pending"  # the grader rejects it with a reason
    assert roles(provider) == [(first.user_id, "owner")]
    assert second.events.count() == 1


def test_one_code_backs_only_one_provider():
    grader = staff_user(GRADERS)
    first_provider, other_provider = ProviderFactory(), ProviderFactory()
    provider_claim_approve(claim=submit(staff_account(), first_provider), actor=grader)

    with pytest.raises(ValidationError) as error:
        submit(staff_account(), other_provider, code=CODE)
    assert error.value.messages == ["该统一社会信用代码已用于另一家服务商。"]


def test_a_pending_claim_whose_code_was_approved_elsewhere_meanwhile_is_refused_at_approval():
    grader = staff_user(GRADERS)
    first_provider, other_provider = ProviderFactory(), ProviderFactory()
    late = submit(staff_account(), other_provider, code=CODE)
    provider_claim_approve(claim=submit(staff_account(), first_provider), actor=grader)

    with pytest.raises(ValidationError) as error:
        provider_claim_approve(claim=late, actor=grader)
    assert error.value.messages == ["该统一社会信用代码已用于另一家服务商。"]
    assert roles(other_provider) == []


def test_a_provider_whose_code_is_known_refuses_another_code():
    provider, grader = ProviderFactory(), staff_user(GRADERS)
    owner_claim = submit(staff_account(), provider)
    provider_claim_approve(claim=owner_claim, actor=grader)
    Membership.objects.filter(provider=provider).delete()  # the owner left: the code stays the provider's

    with pytest.raises(ValidationError) as error:
        submit(staff_account(), provider, code=OTHER_CODE)
    assert error.value.messages == ["该统一社会信用代码与此服务商已核验的代码不符。"]
    assert submit(staff_account(), provider, code=CODE).status == "pending"


def test_a_bad_code_is_refused_naming_the_problem_and_nothing_is_stored(evidence_count):
    before = evidence_count()
    with pytest.raises(ValidationError) as error:
        submit(staff_account(), ProviderFactory(), code="91350100M000100Y44")
    assert error.value.message_dict == {"credit_code": ["第 18 位校验码应为“3”，而不是“4”：请核对代码是否抄错。"]}
    assert (ProviderClaim.objects.count(), ClaimEvent.objects.count(), evidence_count()) == (0, 0, before)


def test_bad_evidence_is_refused_and_nothing_is_stored(evidence_count):
    before = evidence_count()
    with pytest.raises(ValidationError) as error:
        submit(staff_account(), ProviderFactory(), evidence=png("执照.pdf"))
    assert error.value.message_dict == {"evidence": ["文件扩展名 “.pdf” 与内容（image/png）不符。"]}
    assert (ProviderClaim.objects.count(), evidence_count()) == (0, before)


def test_merchants_and_members_do_not_claim():
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as error:
        submit(merchant(), provider)
    assert error.value.messages == ["只有服务商账号可以认领服务商。"]
    member = staff_account()
    provider.members.add(member, through_defaults={"role": "member"})
    with pytest.raises(ValidationError) as error:
        submit(member, provider)
    assert error.value.messages == ["您已是该服务商的团队成员。"]


def test_one_pending_claim_per_account_and_provider():
    user, provider = staff_account(), ProviderFactory()
    submit(user, provider)
    with pytest.raises(ValidationError) as error:
        submit(user, provider)
    assert error.value.messages == ["您已有一条该服务商的待审核认领。"]


def test_reject_with_reason_and_withdraw():
    grader = staff_user(GRADERS)
    user = staff_account()
    claim = submit(user, ProviderFactory())
    with pytest.raises(ValidationError):
        provider_claim_reject(claim=claim, reason="", actor=grader)
    provider_claim_reject(claim=claim, reason="执照与公司名称不符", actor=grader)
    claim.refresh_from_db()
    assert (claim.status, claim.reason) == ("rejected", "执照与公司名称不符")
    with pytest.raises(ClaimStateError):
        provider_claim_approve(claim=claim, actor=grader)

    other = submit(user, ProviderFactory())
    provider_claim_withdraw(claim=other, user=user)
    other.refresh_from_db()
    assert other.status == "withdrawn"
    assert list(other.events.order_by("pk").values_list("action", flat=True)) == ["submitted", "withdrawn"]
    assert Provider.objects.filter(memberships__user=user).count() == 0
