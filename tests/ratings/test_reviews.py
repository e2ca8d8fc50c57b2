import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ratings.models import PendingRecompute, Review
from ratings.services.reviews import review_reply, review_submit, review_update
from tests.factories import (
    LEAKY,
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    UserFactory,
    merchant_of,
    provider_staff,
)

pytestmark = pytest.mark.django_db



@pytest.fixture
def engagement():
    provider = ProviderFactory(slug="xinghai", name="星海电商")
    store = StoreFactory(name="王记旗舰店")
    return EngagementFactory(provider=provider, store=store, start_date=timezone.localdate() - dt.timedelta(days=90))


@pytest.fixture
def merchant(engagement):
    return merchant_of(engagement.store, username="merchant_wang")


# Service: review_submit --------------------------------------------------------------------------------------------


def test_submitted_review_is_pending_verified_and_tied_to_the_engagement(engagement, merchant):
    review = review_submit(engagement=engagement, author=merchant, rating=4, title="不错", body="沟通顺畅", effect=5)

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.verified is True
    assert review.engagement == engagement
    assert (review.provider_id, review.store_id, review.author_id) == (
        engagement.provider_id, engagement.store_id, merchant.pk,
    )
    assert (review.rating, review.effect, review.communication, review.title, review.body) == (4, 5, None, "不错", "沟通顺畅")
    assert review.created_at == timezone.localdate()


def test_pending_review_requests_no_recompute(engagement, merchant, django_capture_on_commit_callbacks):
    with mock.patch("ratings.tasks.ratings_recompute_pending_task.apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            review_submit(engagement=engagement, author=merchant, rating=5, body="好")

    send.assert_not_called()
    assert PendingRecompute.objects.count() == 0


def test_second_review_for_same_engagement_is_rejected(engagement, merchant):
    review_submit(engagement=engagement, author=merchant, rating=5, body="好")

    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=1, body="再评一次")

    assert error.value.message_dict == {"engagement": ["这次合作已经评价过了。"]}
    assert Review.objects.count() == 1


def test_database_rejects_a_second_review_of_one_engagement(engagement, merchant):
    from django.db import IntegrityError, transaction

    ReviewFactory(provider=engagement.provider, store=engagement.store, engagement=engagement,
                  created_at=dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(provider=engagement.provider, store=engagement.store, engagement=engagement,
                      created_at=dt.date(2025, 1, 2))


def test_a_store_reviewing_a_later_engagement_with_the_same_provider_is_allowed(engagement, merchant):
    later = EngagementFactory(provider=engagement.provider, store=engagement.store,
                              start_date=timezone.localdate() - dt.timedelta(days=10))
    ReviewFactory(provider=engagement.provider, store=engagement.store, engagement=engagement,
                  created_at=dt.date(2025, 1, 1))

    review = review_submit(engagement=later, author=merchant, rating=3, body="第二次合作")

    assert review.engagement == later


def test_only_a_merchant_of_the_store_can_review(engagement):
    stranger = merchant_of(StoreFactory(), username="other_shop")

    with pytest.raises(PermissionDenied):
        review_submit(engagement=engagement, author=stranger, rating=1, body="从未合作")
    assert Review.objects.count() == 0


def test_an_engagement_that_has_not_started_cannot_be_reviewed(merchant, engagement):
    future = EngagementFactory(provider=engagement.provider, store=engagement.store,
                               start_date=timezone.localdate() + dt.timedelta(days=5))

    with pytest.raises(ValidationError) as error:
        review_submit(engagement=future, author=merchant, rating=5, body="提前评价")

    assert error.value.message_dict == {"engagement": ["合作尚未开始，暂不能评价。"]}


@pytest.mark.parametrize(("rating", "field"), [(0, "rating"), (6, "rating")])
def test_out_of_range_rating_is_rejected(engagement, merchant, rating, field):
    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=rating, body="x")

    assert field in error.value.message_dict


# Service: review_update --------------------------------------------------------------------------------------------


def test_edit_within_30_days_goes_back_to_moderation_and_rescores(engagement, merchant, django_capture_on_commit_callbacks):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, engagement=engagement, author=merchant,
                           status=Review.Status.PUBLISHED, rating=5)
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - dt.timedelta(days=29))
    review.refresh_from_db()

    with mock.patch("ratings.tasks.ratings_recompute_pending_task.apply_async") as send:
        with django_capture_on_commit_callbacks(execute=True):
            review_update(review=review, author=merchant, rating=2, body="后来效果下滑")

    review.refresh_from_db()
    assert (review.rating, review.body, review.status) == (2, "后来效果下滑", Review.Status.PENDING)
    assert list(PendingRecompute.objects.values_list("provider_id", flat=True)) == [engagement.provider_id]
    send.assert_called_once()


def test_edit_after_30_days_is_refused(engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant, rating=5)
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - dt.timedelta(days=31))
    review.refresh_from_db()

    with pytest.raises(ValidationError):
        review_update(review=review, author=merchant, rating=1)
    review.refresh_from_db()
    assert review.rating == 5


def test_only_the_author_can_edit(engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant)
    colleague = merchant_of(engagement.store, username="colleague")

    with pytest.raises(PermissionDenied):
        review_update(review=review, author=colleague, rating=1)


# Service: review_reply ---------------------------------------------------------------------------------------------


def test_provider_staff_reply_is_stored_with_its_time(engagement):
    staff = provider_staff(engagement.provider, username="xinghai_staff")
    review = ReviewFactory(provider=engagement.provider, store=engagement.store)

    review_reply(review=review, author=staff, body="  感谢认可！ ")

    review.refresh_from_db()
    assert review.reply == "感谢认可！"
    assert review.replied_at is not None


def test_staff_of_another_provider_cannot_reply(engagement):
    other = provider_staff(ProviderFactory(), username="rival")
    review = ReviewFactory(provider=engagement.provider, store=engagement.store)

    with pytest.raises(PermissionDenied):
        review_reply(review=review, author=other, body="抹黑")


def test_pending_reviews_cannot_be_replied_to(engagement):
    staff = provider_staff(engagement.provider)
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, status=Review.Status.PENDING)

    with pytest.raises(ValidationError):
        review_reply(review=review, author=staff, body="谢谢")


# Pages -------------------------------------------------------------------------------------------------------------


def create_url(slug="xinghai"):
    return reverse("ratings:create", kwargs={"slug": slug})


VALID_POST = {"rating": "4", "effect": "5", "communication": "", "professionalism": "4", "responsiveness": "",
              "title": "效果不错", "body": LEAKY}


def test_anonymous_visitor_is_sent_to_sign_in(client, engagement):
    response = client.get(create_url())

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={create_url()}"


def test_merchant_submits_a_review_and_sees_it_pending(client, engagement, merchant):
    client.force_login(merchant)
    form = client.get(create_url())
    assert form.status_code == 200
    assert "王记旗舰店" in form.content.decode()  # the merchant's own store, on the merchant's own form

    response = client.post(create_url(), {**VALID_POST, "engagement": str(engagement.pk)}, follow=True)

    assert response.redirect_chain == [(reverse("ratings:mine"), 302)]
    review = Review.objects.get()
    assert (review.status, review.rating, review.effect, review.professionalism, review.communication) == (
        Review.Status.PENDING, 4, 5, 4, None,
    )
    html = response.content.decode()
    assert "评价已提交，审核通过后将公开展示。" in html
    assert "待审核" in html


def test_merchant_without_an_engagement_is_refused(client, engagement):
    outsider = merchant_of(StoreFactory(), username="outsider")
    client.force_login(outsider)

    assert client.get(create_url()).status_code == 403
    response = client.post(create_url(), {**VALID_POST, "engagement": str(engagement.pk)})
    assert response.status_code == 403
    assert Review.objects.count() == 0


def test_merchant_cannot_submit_for_another_stores_engagement(client, engagement, merchant):
    foreign = EngagementFactory(provider=engagement.provider, start_date=dt.date(2024, 1, 1))
    client.force_login(merchant)

    response = client.post(create_url(), {**VALID_POST, "engagement": str(foreign.pk)})

    assert response.status_code == 200
    assert "engagement" in response.context["form"].errors
    assert Review.objects.count() == 0


def test_missing_rating_and_body_show_clear_form_errors(client, engagement, merchant):
    client.force_login(merchant)

    response = client.post(create_url(), {"engagement": str(engagement.pk), "rating": "", "body": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"rating": ["请选择总体评分。"], "body": ["请填写评价内容。"]}
    assert "请修改下面标出的问题后再提交。" in response.content.decode()


def test_posting_a_review_requires_the_csrf_token(engagement, merchant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(merchant)

    response = client.post(create_url(), {**VALID_POST, "engagement": str(engagement.pk)})

    assert response.status_code == 403
    assert Review.objects.count() == 0


def test_review_posting_is_rate_limited(client, engagement, merchant, settings):
    settings.REVIEW_POST_RATE = "2/h"
    client.force_login(merchant)
    bad = {"engagement": str(engagement.pk), "rating": "", "body": ""}

    assert client.post(create_url(), bad).status_code == 200
    assert client.post(create_url(), bad).status_code == 200
    response = client.post(create_url(), {**VALID_POST, "engagement": str(engagement.pk)})

    assert response.status_code == 429
    assert "提交过于频繁，请稍后再试。" in response.content.decode()
    assert Review.objects.count() == 0


def test_published_review_shows_personal_data_masked_on_the_provider_page(client, engagement, merchant):
    ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant, body=LEAKY,
                  reply="王先生您好，已安排专人 13987654321 联系您")

    html = client.get(engagement.provider.get_absolute_url()).content.decode()

    assert "138********" in html and "*先生您好，已安排专人 139******** 联系您" in html
    for secret in ("13812345678", "13987654321", "wang_88888", "文三路123号", "merchant_wang", "王记旗舰店", "王先生"):
        assert secret not in html
    assert "浙江省杭州市西湖区****" in html


def test_author_edits_own_review_within_30_days(client, engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant, rating=5,
                           status=Review.Status.PUBLISHED)
    client.force_login(merchant)
    url = reverse("ratings:edit", kwargs={"pk": review.pk})
    assert client.get(url).status_code == 200

    response = client.post(url, {**VALID_POST, "rating": "3", "body": "修改后的评价"})

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.body, review.status) == (3, "修改后的评价", Review.Status.PENDING)


def test_someone_elses_review_cannot_be_edited(client, engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant)
    client.force_login(UserFactory(username="intruder"))

    url = reverse("ratings:edit", kwargs={"pk": review.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {**VALID_POST, "rating": "1"}).status_code == 404


def test_an_expired_review_cannot_be_edited(client, engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant)
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - dt.timedelta(days=31))
    client.force_login(merchant)

    response = client.post(reverse("ratings:edit", kwargs={"pk": review.pk}), {**VALID_POST, "rating": "1"})

    assert response.status_code == 403
    assert Review.objects.get().rating == 5


def test_provider_staff_reply_from_their_account_and_it_shows_masked(client, engagement):
    staff = provider_staff(engagement.provider, username="xinghai_staff")
    review = ReviewFactory(provider=engagement.provider, store=engagement.store)
    client.force_login(staff)
    url = reverse("ratings:reply", kwargs={"pk": review.pk})

    assert "回复" in client.get(engagement.provider.get_absolute_url()).content.decode()
    response = client.post(url, {"reply": "感谢！请拨打 0571-88881234 联系客服"})

    assert response.status_code == 302
    assert response["Location"] == f"{engagement.provider.get_absolute_url()}#review-{review.pk}"
    html = client.get(engagement.provider.get_absolute_url()).content.decode()
    assert "感谢！请拨打 0571-******** 联系客服" in html


def test_merchants_and_other_providers_cannot_reply(client, engagement, merchant):
    review = ReviewFactory(provider=engagement.provider, store=engagement.store)
    url = reverse("ratings:reply", kwargs={"pk": review.pk})

    for user in (merchant, provider_staff(ProviderFactory(), username="rival")):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reply": "冒充回复"}).status_code == 403
    assert Review.objects.get().reply == ""


def test_my_reviews_lists_own_reviews_with_status_and_open_engagements(client, engagement, merchant):
    ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant, title="我的旧评价",
                  status=Review.Status.REJECTED)
    other = EngagementFactory(store=engagement.store, provider=ProviderFactory(name="云帆运营"),
                              start_date=dt.date(2024, 3, 1))
    ReviewFactory(title="别人的评价")
    client.force_login(merchant)

    html = client.get(reverse("ratings:mine")).content.decode()

    assert "我的旧评价" in html and "已驳回" in html
    assert "别人的评价" not in html
    assert "云帆运营" in html and reverse("ratings:create", kwargs={"slug": other.provider.slug}) in html


def test_my_reviews_page_query_count_is_fixed(client, engagement, merchant, django_assert_max_num_queries):
    for day in range(1, 8):
        ReviewFactory(provider=engagement.provider, store=engagement.store, author=merchant,
                      created_at=dt.date(2025, 1, day))
        EngagementFactory(store=engagement.store, start_date=dt.date(2024, 1, day))
    client.force_login(merchant)

    # session, user, my reviews, open engagements, member providers, provider reviews
    with django_assert_max_num_queries(6):
        assert client.get(reverse("ratings:mine")).status_code == 200


def test_sign_in_page_signs_a_merchant_in(client, merchant):
    merchant.set_password("s3cret-pass!")
    merchant.save()

    response = client.post(reverse("login"), {"login": merchant.email, "password": "s3cret-pass!",
                                              "next": reverse("providers:list")})

    assert response.status_code == 302
    assert response["Location"] == reverse("providers:list")


def test_sign_in_attempts_are_rate_limited(client):
    # Its own account name: the limit counts attempts per name, and a shared cache (Redis) keeps other tests' tries.
    target = UserFactory(username="rate_limit_target")
    for _ in range(5):
        assert client.post(reverse("login"), {"login": target.email, "password": "wrong"}).status_code == 200

    response = client.post(reverse("login"), {"login": target.email, "password": "wrong"})

    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()


def test_sign_out_is_a_post(client, merchant):
    client.force_login(merchant)

    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_out_says_so_on_the_next_page(client, merchant):
    client.force_login(merchant)

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "已退出登录。" in response.content.decode()
    assert "已退出登录。" not in client.get(reverse("home")).content.decode()  # said once
