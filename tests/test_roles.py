"""The admin roles: exactly the permissions each needs, who gets into the admin, and what each may not do."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ingest.models import ImportJob
from ratings.models import RatingPolicy, Review
from tests.factories import (
    GRADERS, MODERATORS, STEWARDS, ProviderFactory, ReviewFactory, UserFactory, staff_user,
)

pytestmark = pytest.mark.django_db

ROLE_PERMISSIONS = {
    GRADERS: {
        "providers.view_provider", "providers.view_service", "ratings.grade_provider", "ratings.view_scoresnapshot",
        "ratings.view_tieroverride", "ratings.view_ratingevent", "ratings.add_ratingpolicy",
        "ratings.change_ratingpolicy", "ratings.delete_ratingpolicy", "ratings.view_ratingpolicy",
        "ratings.activate_ratingpolicy", "ratings.add_tiergate", "ratings.change_tiergate", "ratings.delete_tiergate",
        "ratings.view_tiergate",
        # Provider claims (claims/migrations/0002_roles), profile changes, credentials and cases
        # (profiles/migrations/0002), violations, appeals and reinstatements (conduct/migrations/0003_roles), the
        # inquiry funnel (inquiries/migrations/0003_roles).
        "claims.decide_providerclaim", "claims.view_claimevent", "claims.view_providerclaim",
        "claims.view_providercreditcode", "conduct.add_reinstatement", "conduct.add_violation",
        "conduct.change_appeal", "conduct.change_violation", "conduct.view_appeal", "conduct.view_complaint",
        "conduct.view_conductevent", "conduct.view_conductpolicy", "conduct.view_reinstatement",
        "conduct.view_violation", "profiles.change_case", "profiles.change_platformcredential",
        "profiles.change_profilechange", "profiles.view_case", "profiles.view_platformcredential",
        "profiles.view_profilechange", "profiles.view_profileevent", "inquiries.view_inquiryrequest",
        "inquiries.view_inquiryevent",
    },
    MODERATORS: {
        "providers.view_provider", "ratings.view_review", "ratings.change_review", "ratings.view_reviewqueue",
        "ratings.change_reviewqueue", "ratings.view_reviewappeal", "ratings.add_provideralert",
        "ratings.change_provideralert", "ratings.view_provideralert",
        # Complaints (conduct) and the inquiry flow, read-only and unmasked, with its guarantee reports to rule on.
        "conduct.decide_complaint", "conduct.view_complaint", "conduct.view_conductevent", "conduct.view_violation",
        "inquiries.view_inquiryrequest", "inquiries.view_bid", "inquiries.view_proposal", "inquiries.view_message",
        "inquiries.view_inquiryevent", "inquiries.view_promisereport", "inquiries.change_promisereport",
    },
    STEWARDS: {
        "providers.view_provider", "providers.view_store", "providers.view_engagement", "ratings.view_review",
        "ratings.view_storeperformance", "ingest.add_importjob", "ingest.view_importjob", "ingest.import_providers",
        "ingest.import_engagements", "ingest.import_reviews", "ingest.import_performance",
        "ingest.import_violations",  # ingest/migrations/0003_import_violations
        # Store claims (claims/migrations/0002_roles) and recorded violations (conduct/migrations/0003_roles).
        "claims.verify_storeclaim", "claims.view_claimevent", "claims.view_storeclaim", "conduct.add_violation",
        "conduct.view_conductevent", "conduct.view_violation",
    },
}


@pytest.mark.parametrize("role", ROLE_PERMISSIONS)
def test_role_has_exactly_its_permissions(role):
    group = Group.objects.get(name=role)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}

    assert granted == ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", ROLE_PERMISSIONS)
def test_staff_in_a_role_gets_into_the_admin(client, role):
    client.force_login(staff_user(role))

    assert client.get(reverse("admin:index")).status_code == 200


def test_superuser_gets_into_the_admin(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "user_kwargs", [{"is_staff": True}, {"is_staff": False}], ids=["staff-without-role", "non-staff"]
)
def test_accounts_outside_the_roles_are_kept_out(client, user_kwargs):
    client.force_login(UserFactory(**user_kwargs))

    response = client.get(reverse("admin:providers_provider_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_non_staff_member_of_a_role_is_kept_out(client):
    user = UserFactory(is_staff=False)
    user.groups.add(Group.objects.get(name=GRADERS))
    client.force_login(user)

    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (GRADERS, {"provider", "service", "scoresnapshot", "tieroverride", "ratingevent", "ratingpolicy",
                   "appeal", "case", "claimevent", "complaint", "conductevent", "conductpolicy", "platformcredential",
                   "profilechange", "profileevent", "providerclaim", "providercreditcode", "reinstatement",
                   "violation", "inquiryrequest", "inquiryevent"}),
        (MODERATORS, {"provider", "review", "reviewqueue", "reviewappeal", "provideralert", "complaint",
                      "conductevent", "violation", "inquiryrequest", "proposal", "message", "inquiryevent",
                      "promisereport"}),
        (STEWARDS, {"provider", "store", "engagement", "review", "storeperformance", "importjob", "claimevent",
                    "conductevent", "storeclaim", "violation"}),
    ],
)
def test_each_role_sees_only_its_own_models(client, role, visible):
    client.force_login(staff_user(role))

    app_list = client.get(reverse("admin:index")).context["app_list"]

    assert {model["object_name"].lower() for app in app_list for model in app["models"]} == visible


def _review():
    return ReviewFactory(status=Review.Status.PENDING)


# (what, method, url factory, data) — each done by the three roles; exactly one role may do it.
WORK = {
    "grade a provider": (
        GRADERS, "post", lambda: reverse("admin:providers_provider_grading", args=[ProviderFactory().pk, "recompute"]),
        {"reason": ""},
    ),
    "moderate a review": (
        MODERATORS, "post", lambda: reverse("admin:ratings_review_decide", args=[_review().pk]),
        {"decision": "approve"},
    ),
    "open the moderation queue": (MODERATORS, "get", lambda: reverse("admin:ratings_reviewqueue_changelist"), None),
    "upload a CSV": (STEWARDS, "get", lambda: reverse("admin:ingest_importjob_add"), None),
    "preview a policy draft": (
        GRADERS, "get",
        lambda: reverse("admin:ratings_ratingpolicy_preview", args=[RatingPolicy.objects.create(name="草稿").pk]), None,
    ),
    "activate a policy draft": (
        GRADERS, "post",
        lambda: reverse("admin:ratings_ratingpolicy_activate", args=[RatingPolicy.objects.create(name="草稿").pk]),
        {},
    ),
}


@pytest.mark.parametrize("work", WORK)
@pytest.mark.parametrize("role", ROLE_PERMISSIONS)
def test_each_role_can_do_its_work_and_not_the_others(client, role, work):
    allowed_role, method, url, data = WORK[work]
    client.force_login(staff_user(role))

    response = getattr(client, method)(url(), data) if data is not None else client.get(url())

    if role == allowed_role:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLE_PERMISSIONS)
def test_no_role_edits_a_provider_profile_by_hand(client, role):
    provider = ProviderFactory(name="原名称")
    client.force_login(staff_user(role))

    response = client.post(reverse("admin:providers_provider_change", args=[provider.pk]), {"name": "改名"})

    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.name == "原名称"


@pytest.mark.parametrize("role", [GRADERS, MODERATORS])
def test_only_stewards_see_import_jobs(client, role):
    client.force_login(staff_user(role))

    assert client.get(reverse("admin:ingest_importjob_changelist")).status_code == 403
    assert ImportJob.objects.count() == 0
