"""ratings.admin.moderation: the queue, decisions, appeals and public alerts, through the admin's real views."""
import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ratings import selectors, services
from ratings.models import (
    ALERT_VISIBLE_DAYS,
    PendingRecompute,
    ProviderAlert,
    RatingEvent,
    Review,
    ReviewAppeal,
    ScoreSnapshot,
)
from tests.factories import (
    GRADERS, STEWARDS, EngagementFactory, ProviderFactory, ReviewAppealFactory, ReviewFactory,
    StoreFactory, UserFactory, provider_staff, rated_provider, staff_user,
)

pytestmark = pytest.mark.django_db

QUEUE = "admin:ratings_reviewqueue_changelist"


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def decide_url(review):
    return reverse("admin:ratings_reviewqueue_decide", args=[review.pk])


def stores_of(provider):
    return [e.store for e in provider.engagements.select_related("store").order_by("pk")]


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


def snapshot_review_count(provider):
    return ScoreSnapshot.objects.get(provider=provider, period=timezone.localdate().replace(day=1)).review_count


def test_queue_lists_pending_and_appealed_reviews_longest_waiting_first(moderator_client):
    old_pending = ReviewFactory(status=Review.Status.PENDING)
    new_pending = ReviewFactory(status=Review.Status.PENDING)
    appealed = ReviewFactory(status=Review.Status.PUBLISHED)
    ReviewFactory(status=Review.Status.PUBLISHED)
    ReviewFactory(status=Review.Status.REJECTED)
    settled = ReviewFactory(status=Review.Status.PUBLISHED)
    Review.objects.filter(pk=old_pending.pk).update(submitted_at=ago(days=3))
    Review.objects.filter(pk=new_pending.pk).update(submitted_at=ago(days=1))
    appeal = ReviewAppealFactory(review=appealed)
    ReviewAppeal.objects.filter(pk=appeal.pk).update(created_at=ago(days=2))
    ReviewAppealFactory(review=settled, status=ReviewAppeal.Status.DISMISSED)

    response = moderator_client.get(reverse(QUEUE))

    assert [r.pk for r in response.context["cl"].result_list] == [old_pending.pk, appealed.pk, new_pending.pk]
    admin = response.context["cl"].model_admin
    assert [admin.flags(r) for r in response.context["cl"].result_list] == ["—", "申诉中", "—"]


def test_queue_shows_verification_engagement_and_the_authors_other_reviews(moderator_client):
    provider = ProviderFactory()
    engagement = EngagementFactory(provider=provider, start_date=dt.date(2024, 3, 1), end_date=dt.date(2025, 2, 28))
    author = UserFactory()
    review = ReviewFactory(provider=provider, store=engagement.store, author=author, status=Review.Status.PENDING,
                           created_at=dt.date(2025, 1, 10))
    ReviewFactory(author=author)
    ReviewFactory(author=author, status=Review.Status.REJECTED)
    imported = ReviewFactory(status=Review.Status.PENDING)  # no engagement, no author
    services.reviews_refresh_verification()

    response = moderator_client.get(reverse(QUEUE))

    rows = {r.pk: r for r in response.context["cl"].result_list}
    admin = response.context["cl"].model_admin
    assert (admin.store_engagement(rows[review.pk]), admin.author_reviews(rows[review.pk]), admin.flags(rows[review.pk])
            ) == ("已验证<br>2024-03-01 – 2025-02-28", 2, "—")
    assert (admin.store_engagement(rows[imported.pk]), admin.author_reviews(rows[imported.pk])) == ("未验证<br>无合作记录", "—")
    page = response.content.decode()
    assert '<td class="field-store_engagement">已验证<br>2024-03-01 – 2025-02-28</td>' in page
    assert '<td class="field-author_reviews">2</td>' in page


def test_approving_publishes_the_review_and_recomputes_after_commit(
    moderator_client, moderator, django_capture_on_commit_callbacks
):
    provider = rated_provider(stores=3)
    services.ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    review = ReviewFactory(provider=provider, store=stores_of(provider)[0], status=Review.Status.PENDING,
                           created_at=timezone.localdate())
    services.reviews_refresh_verification()

    with django_capture_on_commit_callbacks() as callbacks:
        response = moderator_client.post(reverse(QUEUE), {"action": "approve", "_selected_action": [review.pk]},
                                         follow=True)
    assert snapshot_review_count(provider) == 0  # nothing recomputed before commit
    assert list(PendingRecompute.objects.values_list("provider_id", flat=True)) == [provider.pk]
    for callback in callbacks:
        callback()

    assert message_texts(response) == ["已通过 1 条评价。"]
    review.refresh_from_db()
    assert (review.status, review.moderated_by) == (Review.Status.PUBLISHED, moderator)
    event = RatingEvent.objects.get(review=review)
    assert (event.kind, event.from_value, event.to_value, event.reason, event.actor) == (
        "review", "pending", "published", "审核通过", moderator)
    assert snapshot_review_count(provider) == 1


def test_rejecting_asks_for_a_reason_before_anything_changes(moderator_client, moderator):
    review = ReviewFactory(status=Review.Status.PENDING)
    data = {"action": "reject", "_selected_action": [review.pk]}

    confirm = moderator_client.post(reverse(QUEUE), data)
    empty = moderator_client.post(reverse(QUEUE), {**data, "apply": "1", "reason": " "})
    review.refresh_from_db()
    assert (confirm.status_code, confirm.templates[0].name) == (200, "admin/ratings/review/decision.html")
    assert empty.context["form"].errors == {"reason": ["该字段是必填项。"]}
    assert review.status == Review.Status.PENDING

    done = moderator_client.post(reverse(QUEUE), {**data, "apply": "1", "reason": "与合作事实不符"}, follow=True)

    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    assert message_texts(done) == ["已处理 1 条评价：驳回。"]
    assert RatingEvent.objects.get(review=review).reason == "与合作事实不符"


def test_marking_malicious_on_the_review_page_excludes_it_from_scoring(
    moderator_client, moderator, django_capture_on_commit_callbacks
):
    provider = rated_provider(stores=3)
    review = ReviewFactory(provider=provider, store=stores_of(provider)[0], rating=1, created_at=timezone.localdate())
    services.reviews_refresh_verification()
    services.ratings_recompute(as_of=timezone.localdate(), provider_ids=[provider.pk])
    assert snapshot_review_count(provider) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator_client.post(decide_url(review), {"decision": "malicious", "reason": "竞争对手恶意差评"})

    assert response["Location"] == reverse(QUEUE)
    review.refresh_from_db()
    assert review.status == Review.Status.MALICIOUS
    assert snapshot_review_count(provider) == 0


def test_a_decision_that_needs_a_reason_is_refused_without_one(moderator_client):
    review = ReviewFactory(status=Review.Status.PENDING)

    response = moderator_client.post(decide_url(review), {"decision": "reject", "reason": ""}, follow=True)

    assert message_texts(response) == ["请填写理由。"]
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert not RatingEvent.objects.exists()


def test_review_page_shows_what_the_moderator_weighs(moderator_client):
    provider, rival = ProviderFactory(name="甲方"), ProviderFactory(name="乙方")
    store = StoreFactory()
    EngagementFactory(provider=rival, store=store, start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 12, 31))
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 1, 1))
    author = UserFactory()
    review = ReviewFactory(provider=provider, store=store, author=author, status=Review.Status.PENDING)
    other = ReviewFactory(provider=rival, author=author, created_at=dt.date(2023, 6, 1))
    ReviewAppealFactory(review=review, provider=provider)

    response = moderator_client.get(reverse("admin:ratings_reviewqueue_change", args=[review.pk]))

    context = response.context
    assert [(e.provider.name, e.start_date) for e in context["store_engagements"]] == [
        ("甲方", dt.date(2024, 1, 1)), ("乙方", dt.date(2023, 1, 1))]
    assert ([r.pk for r in context["author_reviews"]], context["author_review_count"]) == ([other.pk], 1)
    assert [a.explanation for a in context["appeals"]] == ["该店铺从未与我们合作，评价内容与事实不符。"]
    assert context["can_moderate"] is True and context["can_alert"] is True


def test_the_review_page_edits_nothing_by_hand_not_even_the_reply(moderator_client):
    review = ReviewFactory(rating=2, reply="联系方式 138xxxx", replied_at=timezone.now())
    url = reverse("admin:ratings_review_change", args=[review.pk])

    form = moderator_client.get(url).context["adminform"].form
    moderator_client.post(url, {"reply": "", "rating": "5", "body": "改写"})

    assert set(form.fields) == set()
    review.refresh_from_db()
    assert (review.reply, review.rating, review.body) == ("联系方式 138xxxx", 2, "运营团队专业，沟通及时。")


def test_moderators_remove_a_reply_with_a_reason_through_the_action_audited(moderator_client, moderator,
                                                                            django_capture_on_commit_callbacks):
    review = ReviewFactory(rating=2, reply="联系方式 138xxxx", replied_at=timezone.now())
    changelist = reverse("admin:ratings_review_changelist")

    asked = moderator_client.post(changelist, {"action": "moderate_reply", "_selected_action": [review.pk]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        moderator_client.post(changelist, {"action": "moderate_reply", "_selected_action": [review.pk], "apply": "1",
                                           "body": "", "reason": "回复含联系方式"})

    assert asked.status_code == 200 and "reason" in asked.context["form"].fields
    review.refresh_from_db()
    assert (review.reply, review.replied_at) == ("", None)
    event = RatingEvent.objects.get(review=review)
    assert (event.kind, event.from_value, event.to_value, event.reason, event.actor) == (
        "review", "reply", "reply_removed", "回复含联系方式", moderator)
    assert "directory_cache_bump" in [callback.__name__ for callback in callbacks]


@pytest.mark.parametrize("role", [GRADERS, STEWARDS])
def test_other_roles_cannot_moderate(client, role):
    review = ReviewFactory(status=Review.Status.PENDING)
    client.force_login(staff_user(role))

    decide = client.post(decide_url(review), {"decision": "approve"})
    client.post(reverse("admin:ratings_review_changelist"), {"action": "approve", "_selected_action": [review.pk]})

    assert decide.status_code == 403
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_stewards_see_reviews_read_only_without_moderation_actions(client):
    review = ReviewFactory()
    client.force_login(staff_user(STEWARDS))

    changelist = client.get(reverse("admin:ratings_review_changelist"))
    page = client.get(reverse("admin:ratings_review_change", args=[review.pk]))

    assert set(dict(changelist.context["action_form"].fields["action"].choices)) == {"", "export_reviews_csv"}
    assert page.context["can_moderate"] is False
    assert 'id="decide"' not in page.content.decode()


# Appeals ---------------------------------------------------------------------------------------------------------

def test_a_providers_account_appeals_a_published_review_into_the_queue(moderator_client):
    review = ReviewFactory(status=Review.Status.PUBLISHED, rating=1)
    member = provider_staff(review.provider)

    appeal = services.review_appeal_submit(review=review, author=member, explanation="  我们从未服务过这家店铺  ")

    assert (appeal.status, appeal.provider, appeal.explanation, appeal.created_by) == (
        "open", review.provider, "我们从未服务过这家店铺", member)
    assert [r.pk for r in moderator_client.get(reverse(QUEUE)).context["cl"].result_list] == [review.pk]


@pytest.mark.parametrize(("decision", "appeal_status", "review_status"), [
    ("approve", "dismissed", "published"), ("malicious", "upheld", "malicious"), ("reject", "upheld", "rejected"),
])
def test_the_decision_settles_the_appeal(moderator_client, moderator, decision, appeal_status, review_status):
    appeal = ReviewAppealFactory(review=ReviewFactory(status=Review.Status.PUBLISHED))

    moderator_client.post(decide_url(appeal.review), {"decision": decision, "reason": "核实店铺合作记录"})

    appeal.refresh_from_db()
    appeal.review.refresh_from_db()
    assert (appeal.status, appeal.resolved_by, appeal.review.status) == (appeal_status, moderator, review_status)
    assert moderator_client.get(reverse(QUEUE)).context["cl"].result_count == 0


# Manipulation alerts ---------------------------------------------------------------------------------------------

def test_confirmed_manipulation_posts_a_public_alert_for_ninety_days(moderator_client, moderator):
    review = ReviewFactory(status=Review.Status.PENDING, burst=True)
    provider = review.provider

    moderator_client.post(decide_url(review), {
        "decision": "manipulation", "kind": "paid_reviews", "message": "经核实存在有偿刷评，相关评价已剔除。",
        "reason": "同一天 12 条五星，均来自新注册账号",
    })

    review.refresh_from_db()
    assert review.status == Review.Status.MALICIOUS
    alert = ProviderAlert.objects.get()
    assert (alert.provider, alert.kind, alert.message, alert.posted_by) == (
        provider, "paid_reviews", "经核实存在有偿刷评，相关评价已剔除。", moderator)
    assert alert.expires_at - alert.posted_at == dt.timedelta(days=ALERT_VISIBLE_DAYS) == dt.timedelta(days=90)
    assert selectors.provider_alerts_active(provider_ids=[provider.pk]) == {provider.pk: [alert]}
    day_89 = alert.posted_at + dt.timedelta(days=89)
    assert selectors.provider_alerts_active(provider_ids=[provider.pk], now=day_89) == {provider.pk: [alert]}
    assert selectors.provider_alerts_active(provider_ids=[provider.pk], now=alert.expires_at) == {}
    assert list(RatingEvent.objects.filter(provider=provider).order_by("pk").values_list("kind", "actor")) == [
        ("review", moderator.pk), ("alert", moderator.pk)]


def test_confirm_manipulation_from_the_queue_alerts_each_provider_once(moderator_client):
    first, second = ProviderFactory(), ProviderFactory()
    reviews = [ReviewFactory(provider=p, status=Review.Status.PENDING) for p in (first, first, second)]
    data = {"action": "confirm_manipulation", "_selected_action": [r.pk for r in reviews]}

    moderator_client.post(reverse(QUEUE), {**data, "apply": "1", "kind": "fake_reviews",
                                           "message": "存在虚假评价。", "reason": "同一设备批量提交"})

    assert sorted(ProviderAlert.objects.values_list("provider_id", flat=True)) == sorted([first.pk, second.pk])
    assert set(Review.objects.values_list("status", flat=True)) == {"malicious"}


def test_a_withdrawn_alert_is_no_longer_shown(moderator_client, moderator):
    provider = ProviderFactory()
    alert = services.provider_alert_post(provider=provider, kind="fake_reviews", message="存在虚假评价。",
                                         reason="核实", actor=moderator)

    moderator_client.post(reverse("admin:ratings_provideralert_changelist"),
                          {"action": "withdraw", "_selected_action": [alert.pk], "apply": "1", "reason": "误判"})

    alert.refresh_from_db()
    assert (alert.withdrawn_by, alert.withdraw_reason) == (moderator, "误判")
    assert selectors.provider_alerts_active(provider_ids=[provider.pk]) == {}


def test_queue_queries_do_not_grow_with_rows(moderator_client):
    def add(n):
        for _ in range(n):
            review = ReviewFactory(status=Review.Status.PENDING, author=UserFactory())
            ReviewAppealFactory(review=ReviewFactory(provider=review.provider, status=Review.Status.PUBLISHED))

    add(2)
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(reverse(QUEUE))
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = moderator_client.get(reverse(QUEUE))

    assert response.context["cl"].result_count == 44
    assert len(many.captured_queries) == len(few.captured_queries)


def test_review_list_queries_do_not_grow_with_rows(moderator_client):
    for _ in range(3):
        ReviewFactory()
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(reverse("admin:ratings_review_changelist"))
    for _ in range(30):
        ReviewFactory()
    with CaptureQueriesContext(connection) as many:
        moderator_client.get(reverse("admin:ratings_review_changelist"))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_review_verified_flag_is_read_only(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user

    assert "verified" in admin.site._registry[Review].get_readonly_fields(request)
