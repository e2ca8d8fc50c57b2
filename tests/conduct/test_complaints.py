"""Complaints and appeals through their transition tables: who may make each move, what each writes, who is told."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conduct import complaints
from conduct.models import Appeal, Complaint, ConductEvent, Violation
from providers.models import Membership, Provider
from tests.factories import (
    GRADERS, MODERATORS, EngagementFactory, ProviderFactory, StoreFactory, merchant_of, provider_staff, staff_user,
)

pytestmark = pytest.mark.django_db
D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture
def setting(today):
    provider = ProviderFactory(slug="acme")
    store = StoreFactory()
    engagement = EngagementFactory(provider=provider, store=store)
    merchant = merchant_of(store, username="shop")
    manager = provider_staff(provider, username="boss", role="manager")
    member = provider_staff(provider, username="clerk", role="member")
    return {
        "provider": provider, "engagement": engagement, "merchant": merchant,
        "manager": Membership.objects.get(user=manager), "member": Membership.objects.get(user=member),
        "moderator": staff_user(MODERATORS), "grader": staff_user(GRADERS), "today": today,
    }


def file(s, **over):
    data = {"merchant": s["merchant"], "engagement": s["engagement"], "violation_type": "over_promise",
            "description": "承诺月销 100 万，实际不到 10 万。"} | over
    return complaints.complaint_file(**data)


def test_a_merchant_files_on_their_own_engagement_only_and_not_staff_types(setting, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(setting, evidence=SimpleUploadedFile("proof.png", PNG))
    assert (complaint.status, complaint.answer_due, complaint.evidence_type) == ("open", D(2025, 6, 13), "image/png")
    assert [m.to for m in mailoutbox] == [["boss@example.com", "clerk@example.com"]]
    assert "shop" not in mailoutbox[0].body
    stranger = merchant_of(StoreFactory())
    with pytest.raises(PermissionDenied):
        file(setting, merchant=stranger)
    for staff_type in ("fraud", "fake_reviews"):
        with pytest.raises(ValidationError) as error:
            file(setting, violation_type=staff_type)
        assert error.value.message_dict == {"type": ["该类型只能由工作人员记录。"]}
    with pytest.raises(ValidationError) as error:
        file(setting, evidence=SimpleUploadedFile("proof.png", b"<script>"), description=" ")
    assert set(error.value.message_dict) == {"description", "evidence"}
    assert Complaint.objects.count() == 1


def test_the_providers_manager_answers_a_member_or_another_team_cannot(setting):
    complaint = file(setting)
    with pytest.raises(PermissionDenied):
        complaints.complaint_answer(complaint=complaint, membership=setting["member"], answer="已处理")
    other = Membership.objects.get(user=provider_staff(ProviderFactory(), role="owner"))
    with pytest.raises(PermissionDenied):
        complaints.complaint_answer(complaint=complaint, membership=other, answer="已处理")
    answered = complaints.complaint_answer(complaint=complaint, membership=setting["manager"], answer="已联系商家")
    assert (answered.status, answered.answer, answered.answered_by) == ("answered", "已联系商家",
                                                                        setting["manager"].user)
    with pytest.raises(ValidationError):
        complaints.complaint_answer(complaint=answered, membership=setting["manager"], answer="again")


def test_unanswered_after_three_days_and_complaint_ignored_only_then(setting):
    complaint = file(setting)
    with pytest.raises(ValidationError) as error:
        complaints.complaint_uphold(complaint=complaint, actor=setting["moderator"], reason="未跟进",
                                    violation_type="complaint_ignored")
    assert error.value.message_dict == {"type": ["只有逾期未答复的投诉可以认定为“投诉未跟进”。"]}
    assert complaints.complaints_mark_unanswered(today=D(2025, 6, 13)) == 0  # the answer day itself
    assert complaints.complaints_mark_unanswered(today=D(2025, 6, 14)) == 1
    complaint.refresh_from_db()
    assert complaint.status == "unanswered"
    violation = complaints.complaint_uphold(complaint=complaint, actor=setting["moderator"], reason="三日未跟进",
                                            violation_type="complaint_ignored")
    assert (violation.type, violation.points, violation.decided_on, violation.source) == (
        "complaint_ignored", 6, D(2025, 6, 10), "complaint")


def test_a_moderator_upholds_with_a_reason_the_sanction_follows_and_both_sides_are_told(
    setting, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = file(setting)
    with pytest.raises(PermissionDenied):
        complaints.complaint_uphold(complaint=complaint, actor=setting["grader"], reason="成立")
    with pytest.raises(ValidationError):
        complaints.complaint_uphold(complaint=complaint, actor=setting["moderator"], reason="")
    with django_capture_on_commit_callbacks(execute=True):
        violation = complaints.complaint_uphold(complaint=complaint, actor=setting["moderator"], reason="证据属实")
    assert (violation.type, violation.points, violation.reference, violation.complaint_id) == (
        "over_promise", 12, f"complaint-{complaint.pk}", complaint.pk)
    assert Provider.objects.get(slug="acme").sanction == "warning"
    assert sorted(tuple(m.to) for m in mailoutbox) == [("boss@example.com", "clerk@example.com"),
                                                       ("shop@example.com",)]
    with pytest.raises(ValidationError):
        complaints.complaint_dismiss(complaint=complaint, actor=setting["moderator"], reason="again")
    kinds = list(ConductEvent.objects.filter(complaint=complaint).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["complaint_filed", "complaint_upheld", "violation_recorded"]


def test_a_dismissed_complaint_records_nothing(setting):
    complaint = complaints.complaint_dismiss(complaint=file(setting), actor=setting["moderator"], reason="无证据")
    assert (complaint.status, complaint.decision_reason) == ("dismissed", "无证据")
    assert Violation.objects.count() == 0


def test_an_appeal_within_15_days_granted_withdraws_the_violation_at_once(setting):
    violation = complaints.complaint_uphold(complaint=file(setting, violation_type="store_access"),
                                            actor=setting["moderator"], reason="属实")
    assert Provider.objects.get(slug="acme").sanction == "hidden"
    with pytest.raises(PermissionDenied):
        complaints.appeal_file(violation=violation, membership=setting["member"], reason="已交还")
    setting["today"](D(2025, 6, 25))  # day 15 after the decision
    appeal = complaints.appeal_file(violation=violation, membership=setting["manager"], reason="已按期交还")
    with pytest.raises(ValidationError):
        complaints.appeal_file(violation=violation, membership=setting["manager"], reason="again")
    with pytest.raises(PermissionDenied):
        complaints.appeal_decide(appeal=appeal, actor=setting["moderator"], grant=True, reason="成立")
    complaints.appeal_decide(appeal=appeal, actor=setting["grader"], grant=True, reason="交接记录齐全")
    violation.refresh_from_db()
    assert (Appeal.objects.get().status, violation.status) == ("granted", "withdrawn")
    provider = Provider.objects.get(slug="acme")
    assert (provider.sanction, provider.sanction_points) == ("none", 0)


def test_an_appeal_after_15_days_is_refused_and_a_refusal_changes_nothing(setting):
    violation = complaints.complaint_uphold(complaint=file(setting), actor=setting["moderator"], reason="属实")
    setting["today"](D(2025, 6, 26))
    with pytest.raises(ValidationError) as error:
        complaints.appeal_file(violation=violation, membership=setting["manager"], reason="晚了")
    assert error.value.messages == ["申诉期限已过（2025-06-25 截止）。"]
    setting["today"](D(2025, 6, 11))
    appeal = complaints.appeal_file(violation=violation, membership=setting["manager"], reason="不成立")
    complaints.appeal_decide(appeal=appeal, actor=setting["grader"], grant=False, reason="证据充分")
    violation.refresh_from_db()
    assert (Appeal.objects.get().status, violation.status) == ("refused", "upheld")
