"""ratings.services.moderation: moderating replies, filing appeals, holding bursts of reviews for moderation."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ratings import services
from ratings.models import RatingEvent, Review, ReviewAppeal
from ratings.services.reviews import review_submit
from tests.factories import EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, UserFactory, provider_staff

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


# Replies and appeals ---------------------------------------------------------------------------------------------

def test_a_reply_is_replaced_only_on_published_reviews_and_only_with_a_reason(moderator):
    pending = ReviewFactory(status=Review.Status.PENDING, reply="旧回复", replied_at=timezone.now())
    published = ReviewFactory(reply="加微信 abc123", replied_at=timezone.now())

    with pytest.raises(ValidationError):
        services.review_reply_moderate(review=pending, actor=moderator, body="", reason="含联系方式")
    with pytest.raises(ValidationError):
        services.review_reply_moderate(review=published, actor=moderator, body="已删除联系方式", reason=" ")
    services.review_reply_moderate(review=published, actor=moderator, body="（联系方式已删除）", reason="含联系方式")

    published.refresh_from_db()
    assert published.reply == "（联系方式已删除）" and published.replied_at is not None
    assert list(RatingEvent.objects.values_list("to_value", flat=True)) == ["reply_edited"]


def test_appeals_are_refused_to_outsiders_unpublished_reviews_and_twice():
    review = ReviewFactory(status=Review.Status.PUBLISHED)
    member = provider_staff(review.provider)

    with pytest.raises(PermissionDenied):
        services.review_appeal_submit(review=review, author=UserFactory(), explanation="不是我们的账号")
    with pytest.raises(ValidationError):
        services.review_appeal_submit(review=ReviewFactory(provider=review.provider, status=Review.Status.PENDING),
                                      author=member, explanation="待审核的评价")
    services.review_appeal_submit(review=review, author=member, explanation="第一次")
    with pytest.raises(ValidationError):
        services.review_appeal_submit(review=review, author=member, explanation="第二次")
    assert ReviewAppeal.objects.count() == 1


# Bursts ----------------------------------------------------------------------------------------------------------

def _reviews_on(provider, stores, day, **fields):
    Review.objects.bulk_create([Review(provider=provider, store=s, rating=5, created_at=day,
                                       status=Review.Status.PUBLISHED, **fields) for s in stores])


@pytest.mark.parametrize(("on_day", "held"), [(5, 0), (6, 6)])
def test_more_than_five_reviews_in_a_day_is_a_burst(on_day, held):
    provider = ProviderFactory()
    _reviews_on(provider, [StoreFactory() for _ in range(on_day)], dt.date(2025, 3, 1))

    assert services.reviews_flag_bursts(provider_ids=[provider.pk]) == held
    assert Review.objects.filter(status="pending", burst=True).count() == held


@pytest.mark.parametrize(("baseline_reviews", "held"), [(90, 6), (180, 0)])
def test_the_usual_daily_rate_raises_the_bar(baseline_reviews, held):
    """6 on a day is a burst over 1 a day (6 > 3×1) but not over 2 a day (6 is not > 3×2)."""
    provider = ProviderFactory()
    burst_day = dt.date(2025, 6, 1)
    stores = [StoreFactory() for _ in range(6)]
    for n in range(baseline_reviews):
        _reviews_on(provider, [stores[n % 2]], burst_day - dt.timedelta(days=1 + n // 2))
    Review.objects.update(updated_at=ago(days=30))  # the history is old news; only the burst day is checked
    _reviews_on(provider, stores, burst_day)

    assert services.reviews_flag_bursts(provider_ids=[provider.pk]) == held
    assert Review.objects.filter(created_at=burst_day, status="pending", burst=True).count() == held


def test_thresholds_come_from_the_active_policy():
    from ratings.models import RatingPolicy

    RatingPolicy.objects.filter(is_active=True).update(burst_min_reviews=2)
    provider = ProviderFactory()
    _reviews_on(provider, [StoreFactory() for _ in range(3)], dt.date(2025, 3, 1))

    assert services.reviews_flag_bursts(provider_ids=[provider.pk]) == 3


def test_a_burst_of_site_reviews_is_flagged_on_submission():
    provider = ProviderFactory()
    engagements = []
    for _ in range(6):
        engagement = EngagementFactory(provider=provider, start_date=timezone.localdate() - dt.timedelta(days=100))
        merchant = UserFactory()
        engagement.store.merchants.add(merchant)
        engagements.append((engagement, merchant))

    reviews = [review_submit(engagement=e, author=m, rating=5) for e, m in engagements]

    assert [Review.objects.get(pk=r.pk).burst for r in reviews] == [True] * 6
    assert RatingEvent.objects.get(kind="burst").to_value == "6"


def test_a_review_a_moderator_decided_is_not_held_again(moderator):
    provider = ProviderFactory()
    _reviews_on(provider, [StoreFactory() for _ in range(6)], dt.date(2025, 3, 1))
    services.reviews_flag_bursts(provider_ids=[provider.pk])
    services.reviews_moderate(review_ids=Review.objects.values_list("pk", flat=True), decision="approve",
                              actor=moderator)

    assert services.reviews_flag_bursts(provider_ids=[provider.pk]) == 0
    assert set(Review.objects.values_list("status", flat=True)) == {"published"}
    assert RatingEvent.objects.filter(kind="burst").count() == 1
