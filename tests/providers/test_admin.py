import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from providers.models import Engagement, Provider
from ingest.models import ImportJob
from ratings.models import (
    PendingRecompute,
    ProviderAlert,
    PeriodLock,
    RatingEvent,
    ReviewAppeal,
    ScoreSnapshot,
    TierOverride,
)
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    RatingEventFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    StorePerformanceFactory,
    TierOverrideFactory,
    UserFactory,
)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTERED_IDS = [model._meta.label for model, _ in REGISTERED]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(db):
    """One row of every model, so changelists and change forms render real data."""
    provider = ProviderFactory(tier=4, score=Decimal("4.20"), platforms=["tmall"], services=["operation"])
    engagement = EngagementFactory(provider=provider)
    # Pending, so it is also the first row of the moderation queue (a proxy of Review).
    review = ReviewFactory(provider=provider, store=engagement.store, author=UserFactory(), status="pending")
    ReviewAppeal.objects.create(review=review, provider=provider, explanation="从未合作")
    ProviderAlert.objects.create(provider=provider, kind="fake_reviews", message="存在虚假评价。", reason="核实",
                                 posted_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(days=90))
    ImportJob.objects.create(kind="providers", filename="p.csv", size=3, data=b"a,b", status="invalid",
                             errors=[{"row": 2, "column": "slug", "message": "不能为空", "code": "required"}])
    StorePerformanceFactory(store=engagement.store)
    ScoreSnapshotFactory(provider=provider, explanation={"gates": [], "next_tier": None})
    TierOverrideFactory(provider=provider)
    RatingEventFactory(provider=provider)
    PendingRecompute.objects.create(provider=provider)
    PeriodLock.objects.create(period=dt.date(2025, 6, 1))


def test_every_model_is_in_the_admin_registered_or_inline():
    inline_models = {
        inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    for app_label in ("providers", "ratings"):
        for model in apps.get_app_config(app_label).get_models():
            assert model in admin.site._registry or model in inline_models, model._meta.label


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_changelist_renders_for_a_superuser(admin_client, rows, model, model_admin):
    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_changelist_search_renders_for_a_superuser(admin_client, rows, model, model_admin):
    if not model_admin.search_fields:
        pytest.skip("no search")
    assert admin_client.get(admin_url(model, "changelist"), {"q": "测试"}).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_add_page_renders_where_adding_is_allowed(admin_client, admin_user, rf, model, model_admin):
    request = rf.get("/")
    request.user = admin_user
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == (200 if model_admin.has_add_permission(request) else 403)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_change_page_renders_for_a_superuser(admin_client, rows, model, model_admin):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip("no row")

    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["admin:index", "admin:providers_provider_changelist", "admin:ratings_review_changelist"]
)
def test_non_staff_user_is_redirected_to_login(client, url):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(reverse(url))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_anonymous_user_is_redirected_to_login(client):
    response = client.get(admin_url(Provider, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [ScoreSnapshot, RatingEvent, PendingRecompute, TierOverride, ReviewAppeal])
def test_engine_output_is_view_only(admin_client, admin_user, rf, rows, model):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    obj = model._default_manager.first()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.has_view_permission(request, obj)
    assert admin_client.get(admin_url(model, "add")).status_code == 403
    assert admin_client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    change_page = admin_client.get(admin_url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in change_page


def test_snapshot_change_page_shows_every_field_read_only(admin_client, admin_user, rf, rows):
    request = rf.get("/")
    request.user = admin_user
    snapshot = ScoreSnapshot.objects.get()
    model_admin = admin.site._registry[ScoreSnapshot]

    assert set(model_admin.get_readonly_fields(request, snapshot)) >= {f.name for f in ScoreSnapshot._meta.fields}


def test_provider_rating_fields_cannot_be_edited_by_hand(admin_client, admin_user, rf, rows):
    request = rf.get("/")
    request.user = admin_user
    provider = Provider.objects.get()
    form_fields = admin.site._registry[Provider].get_form(request, provider).base_fields

    for name in ("status", "tier", "score", "at_risk", "rated_period", "review_count", "review_average",
                 "reinstated_on"):
        assert name not in form_fields, name
    assert {"platforms", "categories", "services", "slug", "name"} <= set(form_fields)
    # The team is edited in its own inline, with roles.
    assert [type(inline).__name__ for inline in admin.site._registry[Provider].get_inline_instances(request, provider)] == [
        "MembershipInline"
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("ongoing", {"open", "ends-today"}),
        ("ended", {"ended"}),
        ("upcoming", {"future"}),
        (None, {"open", "ends-today", "ended", "future"}),
    ],
)
def test_engagement_state_filter(admin_client, db, state, expected):
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    spans = {
        "open": (today - 100 * day, None),
        "ends-today": (today - 100 * day, today),
        "ended": (today - 100 * day, today - day),
        "future": (today + day, None),
    }
    ids = {EngagementFactory(start_date=start, end_date=end).pk: key for key, (start, end) in spans.items()}

    response = admin_client.get(admin_url(Engagement, "changelist"), {"state": state} if state else {})

    assert {ids[e.pk] for e in response.context["cl"].result_list} == expected
