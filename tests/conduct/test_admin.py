"""The conduct admin: graders record violations and reinstate, moderators decide complaints; each through services."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from conduct import complaints
from conduct.models import Complaint, ConductEvent, Violation
from providers.models import Provider
from tests.factories import GRADERS, MODERATORS, EngagementFactory, ProviderFactory, StoreFactory, merchant_of, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(today):
    store = StoreFactory()
    engagement = EngagementFactory(provider=ProviderFactory(slug="acme"), store=store)
    return complaints.complaint_file(merchant=merchant_of(store), engagement=engagement,
                                     violation_type="over_promise", description="保证销量")


def test_a_grader_records_a_violation_in_the_admin_and_the_sanction_follows(client, today):
    provider = ProviderFactory(slug="acme")
    client.force_login(staff_user(GRADERS))
    url = reverse("admin:conduct_violation_add")
    bad = client.post(url, {"provider": provider.pk, "type": "store_access", "occurred_on": "2025-06-11",
                            "decided_on": "2025-06-11", "reference": "DY-1"})
    assert bad.status_code == 200 and "发生日期不能晚于今天。" in bad.content.decode()
    response = client.post(url, {"provider": provider.pk, "type": "store_access", "occurred_on": "2025-06-01",
                                 "decided_on": "2025-06-10", "reference": "DY-1", "note": "平台处罚通知"})
    assert response.status_code == 302
    assert list(Violation.objects.values_list("reference", "points", "source")) == [("DY-1", 24, "admin")]
    assert Provider.objects.get(pk=provider.pk).sanction == "hidden"


def test_a_moderator_upholds_with_a_reason_a_grader_cannot(client, complaint):
    changelist = reverse("admin:conduct_complaint_changelist")
    data = {"action": "uphold_selected", ACTION_CHECKBOX_NAME: [complaint.pk]}
    client.force_login(staff_user(GRADERS))
    client.post(changelist, {**data, "apply": "1", "reason": "属实"})
    assert Complaint.objects.get().status == "open"
    client.force_login(staff_user(MODERATORS))
    page = client.post(changelist, data)
    assert page.status_code == 200 and "理由" in page.content.decode()
    assert client.post(changelist, {**data, "apply": "1", "reason": "证据属实"}).status_code == 302
    assert (Complaint.objects.get().status, Violation.objects.get().points) == ("upheld", 12)
    assert ConductEvent.objects.filter(kind="complaint_upheld", reason="证据属实").count() == 1
