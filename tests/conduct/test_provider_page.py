"""The provider page's conduct box: the sanction in force, the year's points, the last 12 months' violations."""
import datetime as dt

import pytest
from django.urls import reverse

from conduct import services
from conduct.models import Appeal, Violation
from conduct.selectors import provider_conduct_summary
from tests.factories import ProviderFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_page_shows_the_warning_points_and_recent_violations_only(client, today):
    provider = ProviderFactory(slug="acme")
    old = services.violation_record(provider=provider, violation_type="refund_overdue", occurred_on=D(2024, 6, 1),
                                    decided_on=D(2024, 6, 10), reference="OLD", source="admin")
    recent = services.violation_record(provider=provider, violation_type="over_promise", occurred_on=D(2025, 5, 1),
                                       decided_on=D(2025, 5, 20), reference="NEW", source="admin")
    Appeal.objects.create(violation=recent, filed_by=UserFactory(), reason="不成立")
    html = client.get(reverse("providers:detail", kwargs={"slug": "acme"})).content.decode()
    assert "服务警告" in html and "本年违规积分 12 分" in html
    assert "<td>过度承诺（保证销量、流量、排名或 ROI）</td><td>2025-05-20</td><td>12</td><td>待处理</td>" in html
    assert old.reference not in html and "应退款项" not in html  # decided more than 12 months before today


@pytest.mark.parametrize("decided, until", [
    (D(2025, 6, 2), "2025-07-01"),  # X … X+29
    (D(2025, 12, 20), "2025-12-31"),  # never past 31 December
])
def test_a_hidden_provider_page_says_until_which_day(client, today, decided, until):
    today(decided)
    provider = ProviderFactory(slug="acme")
    services.violation_record(provider=provider, violation_type="store_access", occurred_on=decided,
                              decided_on=decided, reference="A", source="admin")
    provider.refresh_from_db()
    assert (provider.sanction, provider.sanction_points) == ("hidden", 24)
    summary = provider_conduct_summary(provider=provider, on=decided)
    assert (summary.threshold, summary.until) == (24, D.fromisoformat(until))
    html = client.get(reverse("providers:detail", kwargs={"slug": "acme"})).content.decode()
    assert f"本年积分达到 24 分：至 {until} 不在目录列表、搜索和推荐中显示，本页仍可通过链接访问。" in html


def test_a_frozen_provider_page_names_the_threshold_and_31_december(today):
    today(D(2025, 3, 2))
    provider = ProviderFactory(slug="acme")
    for reference in ("A", "B"):
        services.violation_record(provider=provider, violation_type="store_access", occurred_on=D(2025, 3, 1),
                                  decided_on=D(2025, 3, 2), reference=reference, source="admin")
    provider.refresh_from_db()
    summary = provider_conduct_summary(provider=provider, on=D(2025, 3, 2))
    assert (summary.sanction, summary.threshold, summary.until) == ("frozen", 48, D(2025, 12, 31))


def test_a_provider_without_violations_shows_no_box(client):
    ProviderFactory(slug="clean")
    assert 'id="conduct"' not in client.get(reverse("providers:detail", kwargs={"slug": "clean"})).content.decode()


def test_the_summary_reads_in_one_query_whatever_the_violations(today, django_assert_num_queries):
    provider = ProviderFactory()
    for index in range(4):
        violation = Violation.objects.create(provider=provider, type="over_promise", occurred_on=D(2025, 5, 1),
                                             decided_on=D(2025, 5, 1 + index), reference=f"R{index}", points=12,
                                             source="admin")
        Appeal.objects.create(violation=violation, filed_by=UserFactory(), reason="x")
    with django_assert_num_queries(1):
        summary = provider_conduct_summary(provider=provider, on=D(2025, 6, 10))
        assert [v.reference for v in summary.violations] == ["R3", "R2", "R1", "R0"]
        assert [v.appeal_status for v in summary.violations] == ["pending"] * 4


def test_the_api_detail_carries_the_conduct_ledger(today):
    from tests.factories import api_client

    provider = ProviderFactory(slug="acme")
    violation = services.violation_record(provider=provider, violation_type="store_access",
                                          occurred_on=D(2025, 6, 1), decided_on=D(2025, 6, 2), reference="A",
                                          source="admin")
    Appeal.objects.create(violation=violation, filed_by=UserFactory(), reason="不成立", status="refused")
    body = api_client().get(reverse("api:provider-detail", kwargs={"slug": "acme"})).json()
    assert body["conduct"] == {"points": 24, "sanction": "hidden", "violations": [
        {"type": "store_access", "decided_on": "2025-06-02", "points": 24, "appeal": "refused"}]}
