"""Reads of reviews and the rules that decide them: which reviews are verified (an engagement of the provider on
the store covers the review's date) and which engagements are already reviewed (once per engagement).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DateField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account
from providers.models import Engagement, Provider, Service

from ..masking import mask_personal_data
from ..models import DIMENSION_FIELDS, Review


def verifying_engagement() -> Exists:
    """The rule for a verified review: its store has an engagement with the provider that began on or before it."""
    return Exists(
        Engagement.objects.filter(
            provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id"), start_date__lte=OuterRef("created_at")
        )
    )


REVIEW_SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "highest": ("-rating", "-created_at", "-id"),
    "lowest": ("rating", "-created_at", "-id"),
}


REVIEW_KEYWORD_MAX = 50


def provider_reviews(
    *, provider: Provider, sort: str = "newest", rating: int | None = None, platform: str = "", keyword: str = "",
) -> QuerySet[Review]:
    """The provider's published reviews in the chosen order, optionally of one rating, one platform (code) or with
    a keyword in the title or text; author and store are not loaded, pages must not show them.

    Each review carries its context, never the store's name: `platform_name`/`_en` and `category_name`/`_en`
    of the store, and `context_engagement_id`, the engagement it was written for or, for imported and seeded
    reviews, the one that verifies it (reviews_attach_engagements loads it).
    `author_deleted`: the author deleted their account (accounts.services.account_delete); the review stays and
    says so, and that is all a page learns about its author.
    """
    reviews = Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
    if rating is not None:
        reviews = reviews.filter(rating=rating)
    if platform:
        reviews = reviews.filter(store__platform__code=platform)
    if keyword:
        reviews = reviews.filter(pk__in=_reviews_matching_shown_text(reviews, keyword=keyword))
    covering = Engagement.objects.filter(
        provider_id=OuterRef("provider_id"), store_id=OuterRef("store_id"), start_date__lte=OuterRef("created_at")
    ).order_by("-start_date", "-pk").values("pk")[:1]
    return (
        reviews.annotate(
            author_deleted=Exists(Account.objects.filter(user_id=OuterRef("author_id"), deleted_at__isnull=False)),
            platform_name=F("store__platform__name"), platform_name_en=F("store__platform__name_en"),
            category_name=F("store__category__name"), category_name_en=F("store__category__name_en"),
            context_engagement_id=Coalesce(F("engagement_id"), Subquery(covering)),
        )
        .defer("author", "store", "engagement")
        .order_by(*REVIEW_SORTS.get(sort, REVIEW_SORTS["newest"]))
    )


def _reviews_matching_shown_text(reviews: QuerySet[Review], *, keyword: str) -> list[int]:
    """Ids of the reviews whose title or text *as shown* (masked) contains the keyword (one query).

    The database finds candidates in the stored text; only those whose masked text still contains the keyword
    count, so a keyword search cannot tell anyone that a review holds a phone number or a WeChat ID it hides.
    """
    needle = keyword.casefold()
    candidates = reviews.filter(Q(title__icontains=keyword) | Q(body__icontains=keyword)).values_list(
        "pk", "title", "body"
    )
    return [
        pk for pk, title, body in candidates
        if needle in mask_personal_data(title).casefold() or needle in mask_personal_data(body).casefold()
    ]


def reviews_attach_engagements(reviews: list[Review]) -> None:
    """Set `context_engagement` (start and end dates, services) on each review of a page, or None (two queries)."""
    ids = {review.context_engagement_id for review in reviews if review.context_engagement_id}
    engagements = (
        {
            engagement.pk: engagement
            for engagement in Engagement.objects.filter(pk__in=ids)
            .only("pk", "start_date", "end_date")
            .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("position", "code")))
        }
        if ids else {}
    )
    for review in reviews:
        review.context_engagement = engagements.get(review.context_engagement_id)


def provider_review_summary(*, provider: Provider) -> dict:
    """Counts of the provider's published reviews by rating (5 to 1) and the average of each dimension (one query).

    {"count": 12, "ratings": {5: 7, 4: 3, 3: 1, 2: 0, 1: 1}, "dimensions": {"effect": (Decimal avg, count), …}};
    a dimension nobody rated has (None, 0).
    """
    figures = Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED).aggregate(
        count=Count("pk"),
        **{f"rating_{value}": Count("pk", filter=Q(rating=value)) for value in range(1, 6)},
        **{f"{field}_avg": Avg(field) for field in DIMENSION_FIELDS},
        **{f"{field}_count": Count(field) for field in DIMENSION_FIELDS},
    )
    return {
        "count": figures["count"],
        "ratings": {value: figures[f"rating_{value}"] for value in range(5, 0, -1)},
        "dimensions": {field: (figures[f"{field}_avg"], figures[f"{field}_count"]) for field in DIMENSION_FIELDS},
    }


def provider_review_platforms(*, provider: Provider) -> list[dict]:
    """The platforms of the stores behind the provider's published reviews, with how many reviews each (one query)."""
    return list(
        Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED)
        .values(code=F("store__platform__code"), name=F("store__platform__name"),
                name_en=F("store__platform__name_en"))
        .annotate(count=Count("pk"))
        .order_by("-count", "code")
    )


def engagement_reviewed(*, on: dt.date) -> Exists:
    """Whether an (outer) engagement counts as reviewed: once per engagement, whoever wrote the review.

    A review of the provider from the store dated within the engagement's dates counts, with or without an author
    or an engagement link (imported and seeded reviews have neither), and so does one dated `on`: a new review
    would be dated that day, and the database takes one review per provider, store and day.
    """
    return Exists(
        Review.objects.filter(provider=OuterRef("provider_id"), store=OuterRef("store_id")).filter(
            Q(engagement=OuterRef("pk"))
            | Q(created_at=on)
            | Q(
                created_at__gte=OuterRef("start_date"),
                created_at__lte=Coalesce(OuterRef("end_date"), Value(dt.date.max), output_field=DateField()),
            )
        )
    )


def engagement_is_reviewed(*, engagement: Engagement, on: dt.date) -> bool:
    """The rule of engagement_reviewed for one engagement (one query)."""
    return Engagement.objects.filter(pk=engagement.pk).filter(engagement_reviewed(on=on)).exists()


def merchant_reviewable_engagements(*, user, provider: Provider, on: dt.date) -> QuerySet[Engagement]:
    """Engagements of the user's stores with the provider that have begun and are not reviewed yet."""
    if not user.is_authenticated:
        return Engagement.objects.none()
    return (
        Engagement.objects.filter(provider=provider, store__merchants=user, start_date__lte=on)
        .exclude(engagement_reviewed(on=on))
        .select_related("store__platform")
        .order_by("-start_date", "pk")
    )


def merchant_reviews(*, user) -> QuerySet[Review]:
    """Reviews the user wrote, any status, newest first, with the provider loaded."""
    return Review.objects.filter(author=user).select_related("provider", "store__platform").order_by("-submitted_at")


def merchant_open_engagements(*, user, on: dt.date) -> QuerySet[Engagement]:
    """All engagements of the user's stores that have begun and are not reviewed yet, with provider and store."""
    return (
        Engagement.objects.filter(store__merchants=user, start_date__lte=on)
        .exclude(engagement_reviewed(on=on))
        .select_related("provider", "store__platform")
        .order_by("-start_date", "pk")
    )


def member_reviews(*, user) -> QuerySet[Review]:
    """Published reviews of the providers the user answers for, newest first (store and author not loaded)."""
    return (
        Review.objects.filter(provider__members=user, status=Review.Status.PUBLISHED)
        .select_related("provider")
        .defer("author", "store")
        .order_by("-created_at", "-id")
    )
