"""Recording, withdrawing and reinstating, and the ledger applied to Provider.sanction with its audit."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from conduct import services
from conduct.models import ConductEvent, ConductPolicy, Reinstatement, Violation
from providers.models import Provider
from tests.factories import GRADERS, ProviderFactory, staff_user

pytestmark = pytest.mark.django_db
D = dt.date


def record(provider, violation_type, decided_on, reference, occurred_on=None):
    return services.violation_record(
        provider=provider, violation_type=violation_type, occurred_on=occurred_on or decided_on,
        decided_on=decided_on, reference=reference, source=Violation.Source.ADMIN,
    )


def test_policy_v1_is_loaded_with_the_published_numbers():
    policy = ConductPolicy.objects.get(is_active=True)
    assert (policy.version, policy.over_promise_points, policy.store_access_points, policy.refund_overdue_points,
            policy.complaint_ignored_points, policy.fake_reviews_points, policy.unauthorised_case_points,
            policy.fraud_points) == (1, 12, 24, 12, 6, 48, 6, 120)
    assert (policy.warning_at, policy.hidden_at, policy.hidden_days, policy.frozen_at, policy.delisted_at,
            policy.cleared_at, policy.answer_days, policy.appeal_days) == (12, 24, 30, 48, 72, 120, 3, 15)


def test_recording_a_violation_takes_its_points_from_the_policy_and_applies_the_sanction(today):
    provider = ProviderFactory()
    violation = record(provider, "store_access", D(2025, 6, 10), "P-1")
    provider.refresh_from_db()
    assert (violation.points, violation.status) == (24, "upheld")
    assert (provider.sanction, provider.sanction_points) == ("hidden", 24)
    events = list(ConductEvent.objects.filter(provider=provider).order_by("pk").values_list(
        "kind", "from_value", "to_value"))
    assert events == [("violation_recorded", "", "store_access:24"), ("sanction_changed", "none", "hidden")]


def test_a_future_or_inverted_date_is_refused_and_nothing_written(today):
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as error:
        record(provider, "over_promise", D(2025, 6, 11), "P-1")
    assert error.value.message_dict == {"decided_on": ["认定日期不能晚于今天。"],
                                        "occurred_on": ["发生日期不能晚于今天。"]}
    with pytest.raises(ValidationError) as error:
        record(provider, "over_promise", D(2025, 6, 1), "P-1", occurred_on=D(2025, 6, 2))
    assert error.value.message_dict == {"decided_on": ["认定日期不能早于发生日期。"]}
    assert Violation.objects.count() == ConductEvent.objects.count() == 0


def test_a_reference_is_unique_per_provider(today):
    provider, other = ProviderFactory(), ProviderFactory()
    record(provider, "over_promise", D(2025, 6, 1), "P-1")
    record(other, "over_promise", D(2025, 6, 1), "P-1")
    with pytest.raises(ValidationError) as error:
        record(provider, "refund_overdue", D(2025, 6, 2), "P-1")
    assert error.value.messages == ["该服务商已有此编号的违规记录。"]


def test_withdrawal_lifts_the_sanction_at_once_and_is_audited(today):
    provider = ProviderFactory()
    grader = staff_user(GRADERS)
    violation = record(provider, "store_access", D(2025, 6, 10), "P-1")
    services.violation_withdraw(violation=violation, actor=grader, reason="平台撤销处罚")
    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("none", 0)
    last = ConductEvent.objects.filter(provider=provider).order_by("-pk")[:2]
    assert [(e.kind, e.from_value, e.to_value, e.actor_id) for e in last] == [
        ("sanction_changed", "hidden", "none", grader.pk), ("violation_withdrawn", "upheld", "withdrawn", grader.pk)]
    with pytest.raises(ValidationError):
        services.violation_withdraw(violation=violation, actor=grader, reason="again")


def test_the_daily_apply_ends_the_hidden_window_on_day_31_and_changes_nothing_when_rerun(today):
    provider, quiet = ProviderFactory(), ProviderFactory()
    record(provider, "store_access", D(2025, 6, 10), "P-1")
    today(D(2025, 7, 9))
    assert services.sanctions_apply() == []
    provider.refresh_from_db()
    assert provider.sanction == "hidden"
    today(D(2025, 7, 10))
    events = services.sanctions_apply()
    assert [(e.provider_id, e.from_value, e.to_value) for e in events] == [(provider.pk, "hidden", "warning")]
    assert services.sanctions_apply() == []
    assert Provider.objects.get(pk=quiet.pk).sanction == "none"
    today(D(2026, 1, 1))
    services.sanctions_apply()
    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("none", 0)


@pytest.mark.parametrize("count", [2, 6])
def test_sanctions_apply_runs_a_fixed_number_of_queries(today, django_assert_num_queries, count):
    providers = [ProviderFactory() for _ in range(count)]
    for index, provider in enumerate(providers):
        Violation.objects.create(provider=provider, type="store_access", occurred_on=D(2025, 6, 1),
                                 decided_on=D(2025, 6, 1), reference=f"R{index}", points=24, source="admin")
    # savepoint, policy, violations, reinstatements, provider ids, providers locked, bulk update, events insert,
    # release: the same for any number of providers
    with django_assert_num_queries(9):
        services.sanctions_apply()
    assert set(Provider.objects.values_list("sanction", flat=True)) == {"hidden"}


def test_reinstatement_is_refused_in_the_delisting_year_and_allowed_from_1_january(today):
    provider = ProviderFactory()
    grader = staff_user(GRADERS)
    record(provider, "fake_reviews", D(2025, 3, 1), "P-1")
    record(provider, "store_access", D(2025, 3, 2), "P-2")
    provider.refresh_from_db()
    assert provider.sanction == "delisted"
    today(D(2025, 12, 31))
    with pytest.raises(ValidationError) as error:
        services.reinstatement_record(provider=provider, reason="已整改", actor=grader)
    assert error.value.messages == ["下架当年不能恢复：最早在下架次年 1 月 1 日恢复。"]
    today(D(2026, 1, 1))
    services.sanctions_apply()
    assert Provider.objects.get(pk=provider.pk).sanction == "delisted"  # the export shows delisted until then
    with pytest.raises(ValidationError):
        services.reinstatement_record(provider=provider, reason="  ", actor=grader)
    services.reinstatement_record(provider=provider, reason="已整改", actor=grader)
    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("none", 0)
    assert list(ConductEvent.objects.filter(provider=provider, kind="reinstated").values_list("actor", "reason")) == [
        (grader.pk, "已整改")]


def test_a_cleared_provider_is_never_reinstated(today):
    provider = ProviderFactory()
    grader = staff_user(GRADERS)
    record(provider, "fraud", D(2025, 3, 1), "P-1")
    today(D(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        services.reinstatement_record(provider=provider, reason="已整改", actor=grader)
    assert error.value.messages == ["已清退的服务商永不恢复。"]
    assert Reinstatement.objects.count() == 0
