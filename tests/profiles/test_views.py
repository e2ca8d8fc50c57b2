"""The portal pages, the evidence view and the merchant's naming page: permissions from both sides, query counts."""
import datetime as dt

import pytest
from django.urls import reverse

from profiles.models import Case, PlatformCredential, ProfileChange
from profiles.services import case_submit
from providers.models import Category, Platform, Service
from tests.factories import (
    EngagementFactory,
    StoreFactory,
    merchant_of,
    provider_staff,
    staff_user,
)

from .conftest import PDF, png


def url(name, slug="xinghai"):
    return reverse(f"profiles:{name}", kwargs={"slug": slug})


def profile_post(provider, **changes):
    data = {
        "description": provider.description, "description_en": "", "services": ["1"], "platforms": [],
        "categories": [], "cities_served": "", "fee_min": provider.fee_min or "", "fee_max": provider.fee_max or "",
        "website": provider.website, "size_band": provider.size_band,
        "accepting_new_clients": "on",
    }
    data["services"] = [str(s.pk) for s in provider.services.all()]
    data["platforms"] = [str(p.pk) for p in provider.platforms.all()]
    data["categories"] = [str(c.pk) for c in provider.categories.all()]
    return {**data, **changes}


@pytest.mark.parametrize("name", ["profile", "credentials", "cases"])
def test_outsiders_get_404_and_members_of_another_team_too(client, provider, other, name):
    assert client.get(url(name)).status_code == 302  # to sign-in
    client.force_login(provider_staff(other, role="owner"))
    assert client.get(url(name)).status_code == 404
    assert client.post(url(name), {}).status_code == 404


@pytest.mark.parametrize("name", ["profile", "credentials", "cases"])
def test_members_may_look_but_only_managers_submit(client, provider, member, name):
    client.force_login(member)
    response = client.get(url(name))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' not in response.content and b"<textarea" not in response.content
    assert client.post(url(name), {"description": "x"}).status_code == 403


def test_a_manager_submits_a_profile_change_and_sees_it_pending(client, provider, manager):
    client.force_login(manager)
    response = client.post(url("profile"), profile_post(provider, description="新简介", cities_served="上海、Hangzhou"))

    assert response.status_code == 302
    change = ProfileChange.objects.get()
    assert change.proposed == {"description": "新简介", "cities_served": ["上海", "杭州"]}
    page = client.get(url("profile")).content.decode()
    assert "待审核的资料修改" in page and "新简介" in page and "旧简介" in page


def test_a_profile_form_error_names_the_field(client, provider, manager):
    client.force_login(manager)
    response = client.post(url("profile"), profile_post(provider, cities_served="火星", fee_min="9000", fee_max="100"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "未知城市：火星（请使用目录中的城市名）。" in page and "月服务费上限不能低于下限。" in page
    assert ProfileChange.objects.count() == 0


def test_a_lying_evidence_file_is_refused_on_the_page(client, provider, manager):
    client.force_login(manager)
    services = [str(s.pk) for s in Service.objects.filter(code__in=["operation", "warehousing"])]
    response = client.post(url("profile"), {**profile_post(provider), "services": services,
                                            "evidence": png("证明.png", PDF)})
    assert response.status_code == 200
    assert "文件扩展名 “.png” 与内容（application/pdf）不符。" in response.content.decode()
    assert ProfileChange.objects.count() == 0


def test_profile_page_query_count(client, provider, manager, django_assert_num_queries):
    client.force_login(manager)
    client.post(url("profile"), profile_post(provider, description="新简介"))
    # session, user, membership, the form's 3 initial relations, pending, memberships (switcher), the diff's
    # 3 present relations and 3 name tables, history, the form's 3 choice lists
    with django_assert_num_queries(18):
        assert client.get(url("profile")).status_code == 200


def credential_post(**kwargs):
    return {"platform": Platform.objects.get(code="tmall").pk, "kind": "tmall_star", "level": "五星",
            "period_start": "2025-10-01", "period_end": "2025-12-31", "evidence": png(), **kwargs}


def test_a_manager_submits_a_credential_with_evidence(client, provider, manager):
    client.force_login(manager)
    assert client.post(url("credentials"), credential_post()).status_code == 302
    row = PlatformCredential.objects.get()
    assert (row.provider, row.level, row.status, row.evidence_type) == (provider, "五星", "pending", "image/png")


def test_credentials_page_query_count(client, provider, manager, django_assert_num_queries):
    client.force_login(manager)
    for _ in range(3):
        client.post(url("credentials"), credential_post())
    # session, user, membership, memberships, credentials, platform choices
    with django_assert_num_queries(6):
        assert client.get(url("credentials")).status_code == 200


def test_cases_page_offers_only_the_providers_stores(client, provider, other, manager, django_assert_num_queries):
    ours, theirs = StoreFactory(name="我们的店"), StoreFactory(name="别人的店")
    EngagementFactory(provider=provider, store=ours)
    EngagementFactory(provider=other, store=theirs)
    client.force_login(manager)
    # session, user, membership, memberships, cases, platform, category and store choices
    with django_assert_num_queries(8):
        page = client.get(url("cases")).content.decode()
    assert "我们的店" in page and "别人的店" not in page
    response = client.post(url("cases"), {
        "title": "案例", "platform": Platform.objects.get(code="tmall").pk,
        "category": Category.objects.get(code="beauty").pk, "period_start": "2025-01", "period_end": "2025-03",
        "work_done": "做了", "result": "好", "store": theirs.pk,
    })
    assert response.status_code == 200 and Case.objects.count() == 0


# Evidence -------------------------------------------------------------------------------------------------------------

@pytest.fixture
def credential(client, provider, manager):
    client.force_login(manager)
    client.post(url("credentials"), credential_post())
    client.logout()
    return PlatformCredential.objects.get()


def evidence_url(row):
    return reverse("profiles:evidence", kwargs={"kind": "credential", "pk": row.pk})


def test_evidence_is_served_to_the_team_and_graders_only(client, provider, other, credential, member):
    response = client.get(evidence_url(credential))
    assert response.status_code == 302
    client.force_login(provider_staff(other, role="owner"))
    assert client.get(evidence_url(credential)).status_code == 404
    client.force_login(staff_user("Moderators"))
    assert client.get(evidence_url(credential)).status_code == 404
    for user in (member, staff_user("Graders")):
        client.force_login(user)
        response = client.get(evidence_url(credential))
        assert response.status_code == 200
        assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/png", "nosniff")
        assert response["Content-Disposition"].startswith("inline")
    assert client.get(reverse("profiles:evidence", kwargs={"kind": "nope", "pk": credential.pk})).status_code == 404


# The merchant's page ------------------------------------------------------------------------------------------------

@pytest.fixture
def named_case(provider, manager):
    store = StoreFactory(name="花漾美妆旗舰店")
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    merchant = merchant_of(store)
    row = case_submit(membership=provider.memberships.get(user=manager), title="花漾翻倍",
                      platform=Platform.objects.get(code="tmall"), category=Category.objects.get(code="beauty"),
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 1), work_done="做了",
                      result="好", store=store)
    return row, merchant


def test_the_merchant_approves_naming_and_another_merchant_cannot(client, named_case, django_assert_num_queries):
    row, merchant = named_case
    stranger = merchant_of(StoreFactory())
    decide = reverse("profiles:merchant-case-decide", kwargs={"pk": row.pk})

    client.force_login(stranger)
    assert "花漾翻倍" not in client.get(reverse("profiles:merchant-cases")).content.decode()
    assert client.post(decide, {"decision": "approve"}).status_code == 404

    client.force_login(merchant)
    # session, user, cases
    with django_assert_num_queries(3):
        assert "花漾翻倍" in client.get(reverse("profiles:merchant-cases")).content.decode()
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    row.refresh_from_db()
    assert row.naming == Case.Naming.APPROVED


# The partner API ----------------------------------------------------------------------------------------------------

def test_the_api_detail_lists_verified_credentials_with_their_expiry(provider, credential, grader, monkeypatch):
    from django.utils import timezone

    from profiles.services import credential_decide
    from tests.factories import api_client

    pending = PlatformCredential.objects.create(
        provider=provider, platform=Platform.objects.get(code="jd"), kind="jd_partner", level="金牌",
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31))
    credential_decide(credential=credential, action="verify", actor=grader)
    monkeypatch.setattr(timezone, "localdate", lambda: dt.date(2026, 1, 10))

    body = api_client().get(reverse("api:provider-detail", kwargs={"slug": "xinghai"})).json()

    assert body["credentials"] == [{"platform": "tmall", "kind": "tmall_star", "level": "五星",
                                    "period_start": "2025-10-01", "period_end": "2025-12-31", "expired": True}]
    assert pending.status == "pending"
