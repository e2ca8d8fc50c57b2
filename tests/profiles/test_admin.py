"""The graders' admin: the field-by-field diff, decisions through the services, who may decide."""
from decimal import Decimal

from django.urls import reverse

from profiles import services
from profiles.models import ProfileChange, ProfileEvent
from providers.models import Platform, Service
from tests.factories import staff_user

from .conftest import membership_of, png
from .test_services import values


def submitted(provider, manager):
    return services.profile_change_submit(
        membership=membership_of(manager, provider),
        values=values(provider, description="新简介", fee_min=Decimal(8000),
                      services=list(Service.objects.filter(code__in=["operation", "warehousing"])),
                      platforms=list(Platform.objects.filter(code__in=["tmall", "jd"])), cities_served=["上海"]),
        evidence=png(),
    )


def change_url(change):
    return reverse("admin:profiles_profilechange_change", args=[change.pk])


def decide_url(change):
    return reverse("admin:profiles_profilechange_decide", args=[change.pk])


def test_the_diff_shows_each_changed_field_with_readable_values(client, provider, manager, grader):
    change = submitted(provider, manager)
    client.force_login(grader)

    html = client.get(change_url(change)).content.decode()

    for row in (
        '<tr data-field="description"><th>简介</th><td>旧简介</td><td><strong>新简介</strong></td></tr>',
        '<tr data-field="services"><th>服务</th><td>店铺运营</td><td><strong>店铺运营、仓储物流</strong></td></tr>',
        '<tr data-field="platforms"><th>平台</th><td>天猫</td><td><strong>天猫、京东</strong></td></tr>',
        '<tr data-field="cities_served"><th>服务城市</th><td>—</td><td><strong>上海</strong></td></tr>',
        '<tr data-field="fee_min"><th>月服务费下限（元）</th><td>¥10,000</td><td><strong>¥8,000</strong></td></tr>',
    ):
        assert row in html, row
    assert "提议包含星级门槛服务，请核对证明材料。" in html
    assert reverse("profiles:evidence", kwargs={"kind": "change", "pk": change.pk}) in html


def test_a_grader_approves_from_the_admin(client, provider, manager, grader):
    change = submitted(provider, manager)
    client.force_login(grader)

    response = client.post(decide_url(change), {"decision": "approve"})

    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.description, provider.cities_served) == ("新简介", ["上海"])
    assert list(ProfileEvent.objects.filter(object_id=change.pk).values_list("action", flat=True).order_by("pk")) == [
        "submit", "approve"]


def test_a_rejection_without_reason_is_refused_with_a_message(client, provider, manager, grader):
    change = submitted(provider, manager)
    client.force_login(grader)

    response = client.post(decide_url(change), {"decision": "reject", "reason": ""}, follow=True)

    assert "驳回须填写理由（服务商团队会看到）。" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING


def test_moderators_cannot_decide_or_see_the_queue(client, provider, manager):
    change = submitted(provider, manager)
    client.force_login(staff_user("Moderators"))

    assert client.get(change_url(change)).status_code == 403
    assert client.post(decide_url(change), {"decision": "approve"}).status_code == 403
    change.refresh_from_db()
    assert change.status == ProfileChange.Status.PENDING


def test_admin_pages_of_the_three_queues_open_for_graders(client, grader, django_assert_max_num_queries):
    client.force_login(grader)
    for name in ("profilechange", "platformcredential", "case", "profileevent"):
        assert client.get(reverse(f"admin:profiles_{name}_changelist")).status_code == 200, name
