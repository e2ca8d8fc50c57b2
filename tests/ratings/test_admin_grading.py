"""ratings.admin.grading: grading on the provider's admin page, through its real views, as a logged-in grader."""
import datetime as dt
from unittest import mock
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from ratings import services
from ratings.models import RatingEvent, ScoreSnapshot, TierOverride
from tests.factories import (
    MODERATORS, STEWARDS, ProviderFactory, RatingEventFactory, ScoreSnapshotFactory, TierOverrideFactory,
    platform, rated_provider, staff_user,
)

pytestmark = pytest.mark.django_db


def change_url(provider):
    return reverse("admin:providers_provider_change", args=[provider.pk])


def grading_url(provider, action):
    return reverse("admin:providers_provider_grading", args=[provider.pk, action])


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def months_back(first: dt.date, n: int) -> dt.date:
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def test_provider_page_shows_current_snapshot_explanation_and_twelve_months(grader_client):
    today = timezone.localdate()
    provider = rated_provider(stores=3, score="4.00")  # S = 0.4×3.5 + 0.6×4.00 = 3.80 → 3★
    this_month = today.replace(day=1)
    for n in range(1, 13):
        ScoreSnapshotFactory(provider=provider, period=months_back(this_month, n), as_of=months_back(this_month, n),
                             candidate_tier=3, computed_tier=3, tier=3)
    services.ratings_recompute(as_of=today, provider_ids=[provider.pk])

    response = grader_client.get(change_url(provider))

    assert response.status_code == 200
    context = response.context
    assert context["snapshot"].period == this_month
    assert (context["snapshot"].composite, context["snapshot"].tier) == (D("3.80"), 3)
    assert [s.period for s in context["history"]] == [months_back(this_month, n) for n in range(12)]
    assert [(row["tier"], row["met"]) for row in context["gate_rows"]] == [
        (6, False), (5, False), (4, False), (3, True)]
    assert [(c["label"], c["value"], c["threshold"], c["met"]) for c in context["gate_rows"][2]["cells"]] == [
        ("综合分", "3.80", "4.00", False), ("在营店铺", 3, 8, False), ("优秀店铺", 0, 2, False), ("必备服务", "—", "—", True),
    ]
    page = response.content.decode()
    assert "距 4 星：综合分再提高 0.20（达到 4.00）；5 家在营店铺；2 家优秀店铺" in page
    assert context["can_grade"] is True


def test_grader_pins_a_tier_with_reason_and_expiry(grader_client, grader, django_capture_on_commit_callbacks):
    provider = rated_provider(stores=3, score="4.00")
    services.ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    expires = timezone.localdate() + dt.timedelta(days=30)

    with django_capture_on_commit_callbacks(execute=True):
        response = grader_client.post(
            grading_url(provider, "pin"), {"tier": "5", "reason": "平台官方认证五星", "expires_on": expires.isoformat()}
        )

    assert response.status_code == 302 and response["Location"] == change_url(provider)
    override = TierOverride.objects.get(provider=provider)
    assert (override.tier, override.reason, override.expires_on, override.created_by) == (
        5, "平台官方认证五星", expires, grader)
    event = RatingEvent.objects.get(provider=provider, kind=RatingEvent.Kind.OVERRIDE)
    assert (event.from_value, event.to_value, event.reason, event.actor) == ("3", "5", "平台官方认证五星", grader)
    provider.refresh_from_db()
    assert provider.tier == 5  # the recompute after commit applied the pin
    snapshot = ScoreSnapshot.objects.get(provider=provider, period=timezone.localdate().replace(day=1))
    assert (snapshot.tier, snapshot.computed_tier, snapshot.overridden) == (5, 3, True)


def test_pin_without_a_reason_is_refused_and_writes_nothing(grader_client):
    provider = ProviderFactory()

    response = grader_client.post(grading_url(provider, "pin"), {"tier": "5", "reason": "  "}, follow=True)

    assert message_texts(response) == ["理由：该字段是必填项。"]
    assert TierOverride.objects.count() == 0
    assert RatingEvent.objects.count() == 0


def test_grader_lifts_the_override_in_force(grader_client, grader, django_capture_on_commit_callbacks):
    provider = rated_provider(stores=3, score="4.00")
    override = TierOverrideFactory(provider=provider, tier=5, starts_on=timezone.localdate() - dt.timedelta(days=10))
    services.ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    provider.refresh_from_db()
    assert provider.tier == 5

    with django_capture_on_commit_callbacks(execute=True):
        grader_client.post(grading_url(provider, "lift"), {"reason": "认证到期"})

    override.refresh_from_db()
    assert override.lifted_on == timezone.localdate()
    event = RatingEvent.objects.get(provider=provider, kind=RatingEvent.Kind.OVERRIDE)
    assert (event.from_value, event.to_value, event.reason, event.actor) == ("5", "", "认证到期", grader)
    provider.refresh_from_db()
    assert provider.tier == 3


def test_lifting_without_an_override_says_so(grader_client):
    provider = ProviderFactory()

    response = grader_client.post(grading_url(provider, "lift"), {"reason": "误操作"}, follow=True)

    assert message_texts(response) == ["该服务商当前没有生效的星级锁定。"]
    assert RatingEvent.objects.count() == 0


def test_grader_reinstates_a_delisted_provider_with_a_reason(grader_client, grader):
    provider = ProviderFactory(status=Provider.Status.DELISTED)

    refused = grader_client.post(grading_url(provider, "reinstate"), {"reason": ""}, follow=True)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DELISTED
    assert message_texts(refused) == ["理由：该字段是必填项。"]

    grader_client.post(grading_url(provider, "reinstate"), {"reason": "整改完成，复核通过"})

    provider.refresh_from_db()
    assert (provider.status, provider.reinstated_on) == (Provider.Status.ACTIVE, timezone.localdate())
    event = RatingEvent.objects.get(provider=provider)
    assert (event.kind, event.from_value, event.to_value, event.reason, event.actor) == (
        "status", "delisted", "active", "整改完成，复核通过", grader)


def test_grader_suspends_a_provider_with_a_reason(grader_client, grader):
    provider = ProviderFactory()

    grader_client.post(grading_url(provider, "suspend"), {"reason": "涉嫌虚假宣传，调查中"})

    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUSPENDED
    event = RatingEvent.objects.get(provider=provider)
    assert (event.kind, event.from_value, event.to_value, event.actor) == ("status", "active", "suspended", grader)


def test_recompute_now_rates_the_provider_and_audits_tier_before_and_after(grader_client, grader):
    provider = rated_provider(stores=3, score="4.00")

    response = grader_client.post(grading_url(provider, "recompute"), {"reason": ""}, follow=True)

    provider.refresh_from_db()
    assert provider.tier == 3
    assert message_texts(response) == [f"已重算 {timezone.localdate():%Y-%m}：当前星级 3。"]
    event = RatingEvent.objects.get(provider=provider, kind=RatingEvent.Kind.RECOMPUTE)
    assert (event.from_value, event.to_value, event.reason, event.actor) == ("", "3", "手动重算", grader)


def test_bulk_recompute_of_selected_providers(grader_client, grader):
    first, second = rated_provider(stores=3, score="4.00"), rated_provider(stores=3, score="3.00")
    untouched = rated_provider(stores=3, score="4.00")

    response = grader_client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "recompute_selected", "_selected_action": [first.pk, second.pk]}, follow=True,
    )

    assert message_texts(response) == [f"已重算 2 家服务商（{timezone.localdate():%Y-%m}）。"]
    assert set(ScoreSnapshot.objects.values_list("provider_id", "tier")) == {(first.pk, 3), (second.pk, None)}
    assert set(RatingEvent.objects.filter(kind="recompute").values_list("provider_id", "actor_id")) == {
        (first.pk, grader.pk), (second.pk, grader.pk)}
    assert not ScoreSnapshot.objects.filter(provider=untouched).exists()


@pytest.mark.parametrize("role", [MODERATORS, STEWARDS])
def test_other_roles_get_no_recompute_action(client, role):
    provider = rated_provider(stores=3)
    client.force_login(staff_user(role))

    changelist = client.get(reverse("admin:providers_provider_changelist"))
    client.post(reverse("admin:providers_provider_changelist"),
                {"action": "recompute_selected", "_selected_action": [provider.pk]})

    assert "recompute_selected" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert not ScoreSnapshot.objects.exists()
    assert not RatingEvent.objects.exists()


@pytest.mark.parametrize("action", ["pin", "lift", "reinstate", "suspend", "recompute"])
@pytest.mark.parametrize("role", [MODERATORS, STEWARDS])
def test_other_roles_are_refused_every_grading_action(client, role, action):
    provider = ProviderFactory(status=Provider.Status.DELISTED)
    TierOverrideFactory(provider=provider, starts_on=timezone.localdate())
    client.force_login(staff_user(role))

    response = client.post(grading_url(provider, action), {"tier": "6", "reason": "越权"})

    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.status == Provider.Status.DELISTED
    assert TierOverride.objects.get().lifted_on is None
    assert not RatingEvent.objects.exists()


def test_other_roles_see_the_page_without_grading_actions(client):
    provider = ProviderFactory()
    client.force_login(staff_user(MODERATORS))

    response = client.get(change_url(provider))

    assert response.status_code == 200
    assert response.context["can_grade"] is False
    assert 'id="grading-actions"' not in response.content.decode()


def test_grading_views_accept_only_post(grader_client):
    assert grader_client.get(grading_url(ProviderFactory(), "recompute")).status_code == 405


def test_provider_with_an_audit_trail_cannot_be_deleted(admin_client):
    provider = RatingEventFactory().provider

    assert admin_client.get(reverse("admin:providers_provider_delete", args=[provider.pk])).status_code == 403
    changelist = admin_client.get(reverse("admin:providers_provider_changelist"))
    assert "delete_selected" not in dict(changelist.context["action_form"].fields["action"].choices)


def test_provider_page_lists_the_audit_trail(grader_client, grader):
    provider = ProviderFactory()
    RatingEventFactory(provider=provider, kind="override", actor=grader, from_value="3", to_value="5", reason="认证")

    response = grader_client.get(change_url(provider))

    assert [(e.kind, e.from_value, e.to_value, e.reason) for e in response.context["events"]] == [
        ("override", "3", "5", "认证")]
    assert f"?provider__id__exact={provider.pk}" in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["admin:providers_provider_changelist", "admin:ratings_ratingevent_changelist",
                                      "admin:ratings_scoresnapshot_changelist"])
def test_changelist_queries_do_not_grow_with_rows(grader_client, grader, url_name):
    def add(n):
        for _ in range(n):
            provider = ProviderFactory()
            RatingEventFactory(provider=provider, actor=grader)
            ScoreSnapshotFactory(provider=provider)

    add(3)
    few = _queries(grader_client, reverse(url_name))
    add(30)

    assert _queries(grader_client, reverse(url_name)) == few


def test_provider_page_queries_do_not_grow_with_history(grader_client, grader):
    provider = ProviderFactory()
    this_month = timezone.localdate().replace(day=1)
    for n in range(2):
        ScoreSnapshotFactory(provider=provider, period=months_back(this_month, n))
        RatingEventFactory(provider=provider, actor=grader)
    few = _queries(grader_client, change_url(provider))
    for n in range(2, 14):
        ScoreSnapshotFactory(provider=provider, period=months_back(this_month, n))
        RatingEventFactory(provider=provider, actor=grader)

    assert _queries(grader_client, change_url(provider)) == few


def test_recompute_now_while_another_run_holds_the_month_says_so(grader_client):
    provider = rated_provider(stores=3)

    with mock.patch("ratings.services.recompute.period_lock", side_effect=services.RecomputeBusy("busy")):
        response = grader_client.post(grading_url(provider, "recompute"), {"reason": ""}, follow=True)

    assert message_texts(response) == ["本月评级正在由另一任务重算，请稍后再试。"]
    assert not RatingEvent.objects.exists()


def test_a_large_selection_is_queued_for_the_worker(grader_client, grader, django_capture_on_commit_callbacks):
    first, second = rated_provider(stores=3, score="4.00"), rated_provider(stores=3, score="4.00")

    with mock.patch("ratings.services.grading.RECOMPUTE_IN_REQUEST_MAX", 1):
        with django_capture_on_commit_callbacks() as callbacks:
            response = grader_client.post(
                reverse("admin:providers_provider_changelist"),
                {"action": "recompute_selected", "_selected_action": [first.pk, second.pk]}, follow=True,
            )
        assert not ScoreSnapshot.objects.exists()  # nothing ran inside the request
        for callback in callbacks:
            callback()

    assert message_texts(response) == ["已将 2 家服务商排队重算，稍后生效。"]
    assert set(ScoreSnapshot.objects.values_list("provider_id", "tier")) == {(first.pk, 3), (second.pk, 3)}
    assert sorted(RatingEvent.objects.filter(kind="recompute").values_list("provider_id", "reason", "actor_id")) == [
        (first.pk, "手动重算（已排队）", grader.pk), (second.pk, "手动重算（已排队）", grader.pk)]


# The provider form


def test_provider_can_be_added_in_the_admin(admin_client, db):
    response = admin_client.post(
        reverse("admin:providers_provider_add"),
        {
            "name": "新锐电商", "name_en": "Xinrui", "slug": "xinrui", "status": "active", "city": "杭州",
            "international_brands": "0", "warehouse_area_m2": "0",
            "platforms": [str(platform("tmall").pk)],
            # The team inline, empty (members join by claim or invitation).
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    provider = Provider.objects.get(slug="xinrui")
    assert provider.tier is None and provider.score is None
    assert list(provider.platforms.values_list("code", flat=True)) == ["tmall"]
