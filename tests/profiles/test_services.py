"""Profile changes, credentials and cases: what the team submits, what a grader's decision writes, the audit."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from profiles import services
from profiles.models import Case, PlatformCredential, ProfileChange, ProfileEvent
from providers.models import Category, Platform, Provider, Service
from tests.factories import (
    EngagementFactory,
    StoreFactory,
    UserFactory,
    merchant_of,
)

from .conftest import PDF, membership_of, png, stored_evidence


def values(provider, **changes):
    """The profile form's cleaned data: the provider's present values with `changes`."""
    data = {
        "description": provider.description, "description_en": provider.description_en,
        "services": list(provider.services.all()), "platforms": list(provider.platforms.all()),
        "categories": list(provider.categories.all()), "cities_served": list(provider.cities_served),
        "fee_min": provider.fee_min, "fee_max": provider.fee_max, "website": provider.website,
        "size_band": provider.size_band, "accepting_new_clients": provider.accepting_new_clients,
    }
    return {**data, **changes}


def events(obj):
    return list(ProfileEvent.objects.filter(object_id=obj.pk).order_by("pk").values_list(
        "subject", "action", "from_status", "to_status", "reason"))


# Profile changes ---------------------------------------------------------------------------------------------------

def test_a_submission_keeps_only_the_changed_fields_and_changes_nothing_public(provider, manager):
    change = services.profile_change_submit(
        membership=membership_of(manager, provider),
        values=values(provider, description="新简介", platforms=list(Platform.objects.filter(code__in=["jd", "tmall"])),
                      cities_served=["上海", "杭州"], fee_min=Decimal(8000), accepting_new_clients=False),
    )

    assert change.status == ProfileChange.Status.PENDING
    assert change.proposed == {
        "description": "新简介", "platforms": ["jd", "tmall"], "cities_served": ["上海", "杭州"],
        "fee_min": "8000.00", "accepting_new_clients": False,
    }
    provider.refresh_from_db()
    assert (provider.description, provider.cities_served, provider.accepting_new_clients) == ("旧简介", [], True)
    assert events(change) == [("change", "submit", "", "pending", "")]


def test_a_submission_without_changes_is_refused(provider, manager):
    with pytest.raises(ValidationError, match="没有任何修改"):
        services.profile_change_submit(membership=membership_of(manager, provider), values=values(provider))
    assert ProfileChange.objects.count() == 0


def test_a_plain_member_may_not_submit(provider, member):
    with pytest.raises(PermissionDenied, match="管理员"):
        services.profile_change_submit(membership=membership_of(member, provider),
                                       values=values(provider, description="x"))
    assert ProfileChange.objects.count() == 0


def test_a_new_submission_supersedes_the_pending_one(provider, manager):
    membership = membership_of(manager, provider)
    first = services.profile_change_submit(membership=membership, values=values(provider, description="一"))
    second = services.profile_change_submit(membership=membership, values=values(provider, description="二"))

    first.refresh_from_db()
    assert (first.status, second.status) == (ProfileChange.Status.SUPERSEDED, ProfileChange.Status.PENDING)
    assert events(first) == [("change", "submit", "", "pending", ""), ("change", "supersede", "pending", "superseded", "")]


def test_adding_a_gate_service_needs_evidence(provider, manager):
    membership = membership_of(manager, provider)
    gated = values(provider, services=list(Service.objects.filter(code__in=["operation", "warehousing"])))

    with pytest.raises(ValidationError) as refused:
        services.profile_change_submit(membership=membership, values=gated)
    assert refused.value.message_dict["evidence"] == ["新增星级门槛服务（warehousing）须上传证明材料（PNG、JPEG 或 PDF）。"]

    before = stored_evidence()
    change = services.profile_change_submit(membership=membership, values=gated, evidence=png())
    assert (change.evidence_type, stored_evidence()) == ("image/png", before + 1)


def test_keeping_a_gate_service_already_listed_needs_no_evidence(provider, manager):
    provider.services.add(Service.objects.get(code="cross_border"))
    change = services.profile_change_submit(membership=membership_of(manager, provider),
                                            values=values(provider, description="新"))
    assert change.evidence.name == ""


@pytest.mark.parametrize(("name", "content", "message"), [
    ("脚本.png", b"<script>alert(1)</script>", "只接受 PNG、JPEG 或 PDF 文件（按文件内容判断）。"),
    ("伪装.png", PDF, "文件扩展名 “.png” 与内容（application/pdf）不符。"),
    ("空.png", b"", "文件为空。"),
])
def test_bad_evidence_is_refused_and_nothing_is_stored(provider, manager, name, content, message):
    before = stored_evidence()
    gated = values(provider, services=list(Service.objects.filter(code__in=["operation", "warehousing"])))
    with pytest.raises(ValidationError) as refused:
        services.profile_change_submit(membership=membership_of(manager, provider), values=gated,
                                       evidence=png(name, content))
    assert refused.value.message_dict["evidence"] == [message]
    assert (ProfileChange.objects.count(), stored_evidence()) == (0, before)


def test_oversize_evidence_is_refused(provider, manager, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    before = stored_evidence()
    big = png("大.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1))
    gated = values(provider, services=list(Service.objects.filter(code__in=["operation", "warehousing"])))
    with pytest.raises(ValidationError) as refused:
        services.profile_change_submit(membership=membership_of(manager, provider), values=gated, evidence=big)
    assert refused.value.message_dict["evidence"] == ["文件过大：1.0 MB，上限 1 MB。"]
    assert (ProfileChange.objects.count(), stored_evidence()) == (0, before)


def test_unknown_cities_are_refused(provider, manager):
    with pytest.raises(ValidationError) as refused:
        services.profile_change_submit(membership=membership_of(manager, provider),
                                       values=values(provider, cities_served=["杭州", "火星"]))
    assert refused.value.message_dict["cities_served"] == ["未知城市：火星。"]


def test_approval_applies_every_field_at_once_and_refreshes_search_and_cache(
        provider, manager, grader, django_capture_on_commit_callbacks):
    change = services.profile_change_submit(
        membership=membership_of(manager, provider),
        values=values(provider, description="新简介", services=list(Service.objects.filter(code="design")),
                      categories=list(Category.objects.filter(code__in=["beauty", "food"])),
                      cities_served=["上海"], fee_min=Decimal(5000), fee_max=Decimal(9000),
                      size_band=Provider.SizeBand.SMALL, website="https://x.example.com", accepting_new_clients=False),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.profile_change_decide(change=change, action="approve", actor=grader)

    provider.refresh_from_db()
    assert (provider.description, provider.cities_served, provider.fee_min, provider.fee_max, provider.size_band,
            provider.website, provider.accepting_new_clients) == (
        "新简介", ["上海"], Decimal("5000.00"), Decimal("9000.00"), "small", "https://x.example.com", False)
    assert sorted(provider.services.values_list("code", flat=True)) == ["design"]
    assert sorted(provider.categories.values_list("code", flat=True)) == ["beauty", "food"]
    assert "新简 简介" in provider.search.body and "design" in provider.search.body
    assert len(callbacks) == 1  # the directory cache bump
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ProfileChange.Status.APPROVED, grader)
    assert events(change)[-1] == ("change", "approve", "pending", "approved", "")


def test_an_approval_that_fails_validation_changes_nothing(provider, manager, grader):
    Provider.objects.filter(pk=provider.pk).update(fee_min=None, fee_max=Decimal(9000))
    provider.refresh_from_db()
    change = services.profile_change_submit(
        membership=membership_of(manager, provider),
        values=values(provider, description="新简介", fee_min=Decimal(8000), cities_served=["上海"]),
    )
    # Meanwhile the fee ceiling was lowered below the proposed floor: the whole approval is refused.
    Provider.objects.filter(pk=provider.pk).update(fee_max=Decimal(7000))

    with pytest.raises(ValidationError, match="月服务费上限不能低于下限"):
        services.profile_change_decide(change=change, action="approve", actor=grader)

    provider.refresh_from_db()
    change.refresh_from_db()
    assert (provider.description, provider.cities_served, change.status) == ("旧简介", [], "pending")
    assert [e[1] for e in events(change)] == ["submit"]


def test_rejection_needs_a_reason_which_the_team_sees(provider, manager, grader):
    change = services.profile_change_submit(membership=membership_of(manager, provider),
                                            values=values(provider, description="新"))
    with pytest.raises(ValidationError, match="驳回须填写理由"):
        services.profile_change_decide(change=change, action="reject", actor=grader, reason="  ")

    services.profile_change_decide(change=change, action="reject", actor=grader, reason="简介含联系方式")

    change.refresh_from_db()
    assert (change.status, change.reason) == ("rejected", "简介含联系方式")
    assert events(change)[-1] == ("change", "reject", "pending", "rejected", "简介含联系方式")
    with pytest.raises(ValidationError, match="当前状态“已驳回”不能执行此操作"):
        services.profile_change_decide(change=change, action="approve", actor=grader)


def test_only_graders_decide(provider, manager):
    change = services.profile_change_submit(membership=membership_of(manager, provider),
                                            values=values(provider, description="新"))
    for actor in (manager, UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            services.profile_change_decide(change=change, action="approve", actor=actor)


# Credentials -------------------------------------------------------------------------------------------------------

def credential(provider, manager, **kwargs):
    data = {"platform": Platform.objects.get(code="tmall"), "kind": PlatformCredential.Kind.TMALL_STAR,
            "level": "五星", "period_start": dt.date(2025, 10, 1), "period_end": dt.date(2025, 12, 31),
            "evidence": png(), **kwargs}
    return services.credential_submit(membership=membership_of(manager, provider), **data)


def test_a_credential_needs_evidence_and_a_grader_verifies_it(provider, manager, grader):
    with pytest.raises(ValidationError) as refused:
        credential(provider, manager, evidence=None)
    assert refused.value.message_dict["evidence"] == ["请上传平台资质的证明材料（PNG、JPEG 或 PDF）。"]

    row = credential(provider, manager)
    services.credential_decide(credential=row, action="verify", actor=grader)

    row.refresh_from_db()
    assert (row.status, row.decided_by) == ("verified", grader)
    assert [e[1:4] for e in events(row)] == [("submit", "", "pending"), ("verify", "pending", "verified")]


def test_a_credential_period_must_be_ordered(provider, manager):
    before = stored_evidence()
    with pytest.raises(ValidationError, match="有效期止不能早于有效期起"):
        credential(provider, manager, period_start=dt.date(2026, 1, 1), period_end=dt.date(2025, 1, 1))
    assert (PlatformCredential.objects.count(), stored_evidence()) == (0, before)


# Cases -------------------------------------------------------------------------------------------------------------

def case(provider, manager, **kwargs):
    data = {"title": "美妆店铺三个月翻倍", "platform": Platform.objects.get(code="tmall"),
            "category": Category.objects.get(code="beauty"), "period_start": dt.date(2025, 1, 1),
            "period_end": dt.date(2025, 3, 1), "work_done": "重做详情页", "result": "成交额翻倍", **kwargs}
    return services.case_submit(membership=membership_of(manager, provider), **data)


def test_a_case_may_name_only_a_store_the_provider_worked_with(provider, manager, other):
    foreign = StoreFactory()
    EngagementFactory(provider=other, store=foreign)
    with pytest.raises(ValidationError) as refused:
        case(provider, manager, store=foreign)
    assert refused.value.message_dict["store"] == ["只能关联与本服务商有（或曾有）合作记录的店铺。"]


def test_a_claimed_store_is_asked_an_unclaimed_one_stays_anonymous(provider, manager):
    claimed, unclaimed = StoreFactory(), StoreFactory()
    for store in (claimed, unclaimed):
        EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 1))
    merchant_of(claimed)

    asked = case(provider, manager, store=claimed)
    anonymous = case(provider, manager, store=unclaimed)

    assert (asked.naming, anonymous.naming) == (Case.Naming.REQUESTED, Case.Naming.ANONYMOUS)
    assert [e[1] for e in events(asked)] == ["submit", "name_request"]


def test_only_the_stores_merchant_decides_naming(provider, manager):
    mine, theirs = StoreFactory(), StoreFactory()
    EngagementFactory(provider=provider, store=mine)
    merchant = merchant_of(mine)
    stranger = merchant_of(theirs)
    row = case(provider, manager, store=mine)

    with pytest.raises(PermissionDenied):
        services.case_naming_decide(case=row, user=stranger, approve=True)
    services.case_naming_decide(case=row, user=merchant, approve=True)

    row.refresh_from_db()
    assert (row.naming, row.naming_decided_by) == (Case.Naming.APPROVED, merchant)
    assert events(row)[-1][1:4] == ("name_approve", "requested", "approved")

