"""The conduct pages from both sides: the merchant's form and evidence, the provider's portal page, fixed queries."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conduct import complaints
from conduct.models import Appeal, Complaint
from tests.factories import (
    MODERATORS, EngagementFactory, ProviderFactory, StoreFactory, merchant_of, provider_staff, staff_user,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 32


@pytest.fixture
def setting(today, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    provider = ProviderFactory(slug="acme")
    store = StoreFactory()
    engagement = EngagementFactory(provider=provider, store=store)
    return {"provider": provider, "engagement": engagement, "merchant": merchant_of(store, username="shop"),
            "manager": provider_staff(provider, username="boss", role="manager"),
            "member": provider_staff(provider, username="clerk", role="member")}


def test_a_merchant_files_a_complaint_on_their_engagement_only(client, setting):
    url = reverse("conduct:complaint-create", args=[setting["engagement"].pk])
    client.force_login(merchant_of(StoreFactory()))
    assert client.get(url).status_code == 404
    client.force_login(setting["merchant"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"type": "over_promise", "description": "保证销量未兑现，联系 13812345678",
                                 "evidence": SimpleUploadedFile("p.png", PNG)})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert (complaint.type, complaint.evidence_type) == ("over_promise", "image/png")
    assert client.post(url, {"type": "fraud", "description": "x"}).status_code == 200  # not a merchant's type
    assert Complaint.objects.count() == 1


def test_the_evidence_is_private_to_the_complainant_and_staff(client, setting):
    complaint = complaints.complaint_file(merchant=setting["merchant"], engagement=setting["engagement"],
                                          violation_type="refund_overdue", description="未退款",
                                          evidence=SimpleUploadedFile("p.png", PNG))
    url = reverse("conduct:complaint-evidence", args=[complaint.pk])
    for user, status in [(setting["manager"], 404), (merchant_of(StoreFactory()), 404),
                         (staff_user(None), 404), (setting["merchant"], 200), (staff_user(MODERATORS), 200)]:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_the_portal_page_shows_complaints_masked_and_lets_a_manager_answer(client, setting,
                                                                           django_assert_num_queries):
    complaint = complaints.complaint_file(merchant=setting["merchant"], engagement=setting["engagement"],
                                          violation_type="over_promise", description="请回电 13812345678")
    url = reverse("conduct:portal-complaints", args=["acme"])
    client.force_login(merchant_of(StoreFactory()))
    assert client.get(url).status_code == 404
    client.force_login(setting["member"])
    html = client.get(url).content.decode()
    assert "13812345678" not in html and "shop" not in html and "提交答复" not in html
    answer = reverse("conduct:portal-complaint-answer", args=["acme", complaint.pk])
    client.post(answer, {"answer": "已处理"})
    assert Complaint.objects.get().status == "open"  # a member may read, not answer
    client.force_login(setting["manager"])
    # session, user, membership, memberships, complaints, violations
    with django_assert_num_queries(6):
        assert "提交答复" in client.get(url).content.decode()
    assert client.post(answer, {"answer": "已联系商家处理"}).status_code == 302
    assert Complaint.objects.get().status == "answered"


def test_a_manager_appeals_from_the_portal(client, setting):
    complaint = complaints.complaint_file(merchant=setting["merchant"], engagement=setting["engagement"],
                                          violation_type="over_promise", description="保证销量")
    violation = complaints.complaint_uphold(complaint=complaint, actor=staff_user(MODERATORS), reason="属实")
    client.force_login(setting["manager"])
    response = client.post(reverse("conduct:portal-violation-appeal", args=["acme", violation.pk]),
                           {"reason": "合同未承诺销量"})
    assert response.status_code == 302
    assert Appeal.objects.get().violation == violation
    html = client.get(reverse("conduct:portal-complaints", args=["acme"])).content.decode()
    assert "申诉：待处理" in " ".join(html.split())


def test_my_complaints_lists_only_mine(client, setting):
    complaints.complaint_file(merchant=setting["merchant"], engagement=setting["engagement"],
                              violation_type="store_access", description="未交还后台权限")
    client.force_login(setting["merchant"])
    assert "合作结束后未按期交还店铺权限或数据" in client.get(reverse("conduct:my-complaints")).content.decode()
    client.force_login(merchant_of(StoreFactory()))
    assert "合作结束后" not in client.get(reverse("conduct:my-complaints")).content.decode()
