import datetime as dt
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessAttempt, AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from accounts.services import account_create, account_export_record
from claims.services import provider_claim_approve, provider_claim_submit, store_claim_submit
from conduct.complaints import appeal_file, complaint_file
from conduct.models import Reinstatement
from conduct.services import violation_record
from ingest.models import ImportJob
from inquiries.services import bid_propose, message_post, promise_report, request_create
from partners.models import WebhookDelivery
from partners.services import webhook_subscription_create
from portal.services import invitation_create
from profiles.services import case_submit, credential_submit, profile_change_submit
from providers.models import Engagement, Membership, Provider, ShortlistEntry
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
    GRADERS,
    EngagementFactory,
    ProviderFactory,
    RatingEventFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    StorePerformanceFactory,
    TierOverrideFactory,
    UserFactory,
    api_key,
    merchant_of,
    service,
    staff_user,
)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTERED_IDS = [model._meta.label for model, _ in REGISTERED]
SEARCHABLE = [(model, model_admin) for model, model_admin in REGISTERED if model_admin.search_fields]
SEARCHABLE_IDS = [model._meta.label for model, _ in SEARCHABLE]
# Registered models the `rows` fixture cannot give a row, each with the reason; the change page test asserts that
# every other registered model has one. Empty: every change page is rendered with a real row.
NO_ROW: dict[str, str] = {}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(db):
    """One row of every model, so changelists and change forms render real data."""
    provider = ProviderFactory(tier=4, score=Decimal("4.20"), platforms=["tmall"], categories=["apparel"],
                               services=["operation"])
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
    _rows_of_the_newer_apps(provider=provider, engagement=engagement)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _png(name="证明.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _rows_of_the_newer_apps(*, provider, engagement):
    """Rows of accounts, claims, inquiries, conduct, profiles, portal and partners, made through their services
    (which also write the audit rows: ClaimEvent, InquiryEvent, ConductEvent, ProfileEvent, TeamEvent), all on the
    one provider so the tests below that read `Provider.objects.get()` still find one."""
    today = timezone.localdate()
    grader = staff_user(GRADERS)
    merchant = merchant_of(engagement.store)
    account_create(user=merchant, kind=Account.Kind.MERCHANT)
    account_export_record(user=merchant)  # AccountEvent
    ShortlistEntry.objects.create(user=merchant, provider=provider)  # shortlist_add works on a request's session

    # Claims: a store claim, and a provider claim approved (its credit code recorded), which makes the claimant
    # the provider's owner: the team member of the inquiry, profile, portal and conduct rows below.
    store_claim_submit(user=merchant, platform=engagement.store.platform, external_id="TM-CLAIM", store_name="认领店",
                       evidence=_png())
    claimant = UserFactory()
    account_create(user=claimant, kind=Account.Kind.PROVIDER_STAFF)
    claim = provider_claim_submit(user=claimant, provider=provider, credit_code="91350100M000100Y43",
                                  evidence=_png("营业执照.png"))
    provider_claim_approve(claim=claim, actor=grader)
    owner = claimant
    membership = Membership.objects.get(provider=provider, user=owner)

    # Inquiries: a request to the provider, its proposal (with guarantee language the merchant reports), a message.
    request = request_create(
        merchant=merchant, platform=engagement.store.platform, category=engagement.store.category,
        services=[service("operation")], budget_min=10000, budget_max=30000, start_month=today, term_months=12,
        description="需要代运营", store=engagement.store, provider_ids=[provider.pk],
    )
    bid = request.bids.get()
    bid_propose(bid=bid, author=owner, monthly_fee=20000, term_months=12, commitments="保证销量翻倍")
    message_post(bid=bid, author=merchant, body="请问何时开始？")
    promise_report(bid=bid, reporter=merchant)

    # Profiles: a pending profile change, a platform credential and a case.
    profile_change_submit(membership=membership, values={"description": "新简介"})
    credential_submit(membership=membership, platform=engagement.store.platform, kind="tmall_star", level="五星",
                      period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31), evidence=_png())
    case_submit(membership=membership, title="大促增长", platform=engagement.store.platform,
                category=engagement.store.category, period_start=dt.date(2024, 1, 1),
                period_end=dt.date(2024, 12, 1), work_done="全店运营", result="销售额增长")

    # Portal: an invitation (and its TeamEvent).
    invitation_create(actor=membership, email="new@example.com", role="member",
                      accept_url="http://testserver/portal/invitations/{token}/")

    # Partners: a key with a subscription (a public IP literal: no DNS lookup) and one delivery, written directly
    # as the partners tests do: webhook_events_dispatch would also queue a send to that address.
    key, _raw = api_key(scopes=["read", "webhooks"])
    subscription = webhook_subscription_create(api_key=key, url="https://93.184.215.14/hooks/directory",
                                               events=["provider.tier_changed"])
    WebhookDelivery.objects.create(subscription=subscription, event="provider.tier_changed", event_key="k",
                                   event_id="6f1c1e58-8f0e-4c59-9c37-b0a9f0d7a011",
                                   payload={"type": "provider.tier_changed"})

    # Conduct: a merchant's complaint, a violation decided today (so still open to appeal) and its appeal.
    complaint_file(merchant=merchant, engagement=engagement, violation_type="over_promise", description="保证销量")
    violation = violation_record(provider=provider, violation_type="over_promise", occurred_on=today,
                                 decided_on=today, reference="TM-1", source="admin", actor=grader)
    appeal_file(violation=violation, membership=membership, reason="平台已撤销处罚")
    # reinstatement_record refuses a provider that was never delisted (and delisting this one would hide it from
    # the pages the other tests open): the row as the conduct tests write it (tests/conduct/test_export.py).
    Reinstatement.objects.create(provider=provider, on=today, reason="整改", granted_by=grader)

    # Second factors and sign-in failures, as allauth.mfa and django-axes write them.
    TOTP.activate(owner, generate_totp_secret())
    AccessAttempt.objects.create(username="wang", ip_address="10.0.0.1", user_agent="x", failures_since_start=1,
                                 get_data="", post_data="", http_accept="", path_info="/accounts/login/")
    AccessFailureLog.objects.create(username="wang", ip_address="10.0.0.1", user_agent="x", http_accept="",
                                    path_info="/accounts/login/")


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


@pytest.mark.parametrize(("model", "model_admin"), SEARCHABLE, ids=SEARCHABLE_IDS)
def test_changelist_search_renders_for_a_superuser(admin_client, rows, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist"), {"q": "测试"}).status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_add_page_renders_where_adding_is_allowed(admin_client, admin_user, rf, model, model_admin):
    request = rf.get("/")
    request.user = admin_user
    response = admin_client.get(admin_url(model, "add"))

    assert response.status_code == (200 if model_admin.has_add_permission(request) else 403)


def test_models_without_a_row_are_registered_ones():
    assert set(NO_ROW) <= set(REGISTERED_IDS)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=REGISTERED_IDS)
def test_change_page_renders_for_a_superuser(admin_client, rows, model, model_admin):
    obj = model._default_manager.order_by("pk").first()
    if model._meta.label in NO_ROW:
        assert obj is None, f"{model._meta.label} has a row now: take it off NO_ROW"
        return
    assert obj is not None, f"the rows fixture makes no {model._meta.label}"

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
