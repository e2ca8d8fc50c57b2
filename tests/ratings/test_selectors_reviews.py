"""ratings.selectors.reviews: a provider's published reviews, and which engagements a merchant may still review
(one review per engagement, seeded and imported reviews included) as the pages and the review form offer them."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ratings.selectors import merchant_open_engagements, merchant_reviewable_engagements, provider_reviews
from ratings.models import Review
from ratings.services.reviews import review_submit
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    StoreFactory,
    merchant_of,
    seeded_review,
)

LIST_URL = reverse("providers:list")


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": LIST_URL})


# A provider's reviews -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_provider_reviews_are_the_providers_published_ones_newest_first():
    provider = ProviderFactory()
    for day in range(1, 13):
        ReviewFactory(provider=provider, created_at=dt.date(2025, 6, day), title=f"第{day}天")
    ReviewFactory(provider=provider, created_at=dt.date(2025, 6, 20), status=Review.Status.PENDING)
    ReviewFactory(provider=provider, created_at=dt.date(2025, 6, 21), status=Review.Status.MALICIOUS)
    ReviewFactory(created_at=dt.date(2025, 6, 22))  # another provider's

    titles = [review.title for review in provider_reviews(provider=provider)]

    assert titles == [f"第{day}天" for day in range(12, 0, -1)]


# Review eligibility: an engagement with a review is reviewed ----------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def engagement(db, today):
    provider = ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce")
    store = StoreFactory(name="逸纪健康官方旗舰店")
    return EngagementFactory(provider=provider, store=store, start_date=today - dt.timedelta(days=90))


@pytest.fixture
def merchant(engagement):
    return merchant_of(engagement.store, username="merchant_yi")


def offered(merchant, provider, today):
    return (list(merchant_reviewable_engagements(user=merchant, provider=provider, on=today)),
            list(merchant_open_engagements(user=merchant, on=today)))


def test_a_seeded_review_within_the_engagement_makes_it_reviewed(engagement, merchant, today):
    seeded_review(engagement, today - dt.timedelta(days=30))

    assert offered(merchant, engagement.provider, today) == ([], [])
    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=5, body="好")
    assert error.value.message_dict == {"engagement": ["这次合作已经评价过了。"]}
    assert Review.objects.count() == 1


def test_a_seeded_review_dated_today_makes_it_reviewed_with_the_same_message(engagement, merchant, today):
    seeded_review(engagement, today)

    assert offered(merchant, engagement.provider, today) == ([], [])
    with pytest.raises(ValidationError) as error:
        review_submit(engagement=engagement, author=merchant, rating=5, body="好")
    assert error.value.message_dict == {"engagement": ["这次合作已经评价过了。"]}


def test_a_review_dated_today_blocks_an_ended_engagement_too(engagement, merchant, today):
    engagement.end_date = today - dt.timedelta(days=10)
    engagement.save()
    seeded_review(engagement, today)

    assert offered(merchant, engagement.provider, today) == ([], [])


@pytest.mark.parametrize("days_after_end", [1, 20])
def test_a_review_after_an_ended_engagement_does_not_count_for_it(engagement, merchant, today, days_after_end):
    engagement.end_date = today - dt.timedelta(days=30)
    engagement.save()
    seeded_review(engagement, engagement.end_date + dt.timedelta(days=days_after_end))

    assert offered(merchant, engagement.provider, today) == ([engagement], [engagement])


def test_reviews_before_the_engagement_or_from_other_stores_or_of_other_providers_do_not_count(
    engagement, merchant, today
):
    seeded_review(engagement, engagement.start_date - dt.timedelta(days=1))
    ReviewFactory(provider=engagement.provider, store=StoreFactory(), created_at=today)
    ReviewFactory(provider=ProviderFactory(), store=engagement.store, created_at=today)

    assert offered(merchant, engagement.provider, today) == ([engagement], [engagement])
    review = review_submit(engagement=engagement, author=merchant, rating=4, body="第一次评价")
    assert review.engagement == engagement


def test_pages_do_not_offer_a_reviewed_engagement(client, engagement, merchant, today):
    seeded_review(engagement, today - dt.timedelta(days=5))
    client.force_login(merchant)
    create_url = reverse("ratings:create", kwargs={"slug": "xinghai"})

    provider_page = client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()
    account_page = client.get(reverse("ratings:mine")).content.decode()
    form_page = client.get(create_url)

    assert create_url not in provider_page
    assert create_url not in account_page
    assert form_page.status_code == 403
    assert "每次合作限评价一次" in form_page.content.decode()


def test_pages_offer_an_unreviewed_engagement(client, engagement, merchant):
    client.force_login(merchant)
    create_url = reverse("ratings:create", kwargs={"slug": "xinghai"})

    assert create_url in client.get(reverse("providers:detail", kwargs={"slug": "xinghai"})).content.decode()
    assert create_url in client.get(reverse("ratings:mine")).content.decode()
    assert client.get(create_url).status_code == 200


def test_form_refuses_a_reviewed_engagement_posted_by_hand(client, engagement, merchant, today):
    later = EngagementFactory(provider=engagement.provider, store=StoreFactory(name="第二家店"),
                              start_date=today - dt.timedelta(days=10))
    later.store.merchants.add(merchant)
    seeded_review(engagement, today - dt.timedelta(days=5))
    client.force_login(merchant)

    response = client.post(reverse("ratings:create", kwargs={"slug": "xinghai"}),
                           {"engagement": engagement.pk, "rating": "5", "body": "再评一次"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "engagement": ["这次合作已经评价过了，或不是您店铺的合作，请选择列表中的合作。"],
    }
    assert [e.pk for e in response.context["form"].fields["engagement"].queryset] == [later.pk]
    assert Review.objects.count() == 1


# The review form offers what is still reviewable ----------------------------------------------------------------------


def test_review_form_names_the_platform_and_provider_in_english(client, engagement, merchant):
    client.force_login(merchant)
    english(client)

    response = client.get(reverse("ratings:create", kwargs={"slug": "xinghai"}))

    field = response.context["form"].fields["engagement"]
    assert [label for _pk, label in field.choices] == ["逸纪健康官方旗舰店 (Tmall)"]
    html = response.content.decode()
    assert "<h1>Write a review: Xinghai Commerce</h1>" in html
    assert "天猫" not in html


def test_review_form_in_chinese(client, engagement, merchant):
    client.force_login(merchant)

    response = client.get(reverse("ratings:create", kwargs={"slug": "xinghai"}))

    field = response.context["form"].fields["engagement"]
    assert [label for _pk, label in field.choices] == ["逸纪健康官方旗舰店（天猫）"]
    assert "<h1>写评价：星海电商</h1>" in response.content.decode()
