"""Writes of reviews from the site: a merchant reviews an engagement, edits it, a provider replies."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.cache import directory_cache_bump
from providers.models import Engagement

from ..models import DIMENSION_FIELDS, Review
from ..selectors import engagement_is_reviewed
from .moderation import reviews_flag_bursts
from .recompute import ratings_request_recompute, reviews_refresh_verification

# A merchant may correct a review for this long after submitting it; later it stands as moderated.
REVIEW_EDIT_WINDOW = dt.timedelta(days=30)
EDITABLE_FIELDS = ("rating", *DIMENSION_FIELDS, "title", "body")


def review_is_editable(*, review: Review, now: dt.datetime | None = None) -> bool:
    """Whether the review's author may still edit it: within the window and not judged malicious."""
    now = now or timezone.now()
    return review.status != Review.Status.MALICIOUS and now - review.submitted_at <= REVIEW_EDIT_WINDOW


@transaction.atomic
def review_submit(
    *, engagement: Engagement, author, rating: int, title: str = "", body: str = "", effect: int | None = None,
    communication: int | None = None, professionalism: int | None = None, responsiveness: int | None = None,
) -> Review:
    """Record a merchant's review of one engagement; it waits for moderation (pending) before it is shown or scored."""
    if not engagement.store.merchants.filter(pk=author.pk).exists():
        raise PermissionDenied(_("只有该店铺的商家账号可以评价这次合作。"))
    today = timezone.localdate()
    if engagement.start_date > today:
        raise ValidationError({"engagement": _("合作尚未开始，暂不能评价。")})
    # Once per engagement: a review of the provider from this store in the engagement's dates (or today) counts,
    # including imported ones without an author; the site offers the same set (merchant_reviewable_engagements).
    if engagement_is_reviewed(engagement=engagement, on=today):
        raise ValidationError({"engagement": _("这次合作已经评价过了。")})
    review = Review(
        provider_id=engagement.provider_id, store_id=engagement.store_id, engagement=engagement, author=author,
        rating=rating, title=title.strip(), body=body.strip(), effect=effect, communication=communication,
        professionalism=professionalism, responsiveness=responsiveness, created_at=today,
        status=Review.Status.PENDING,
    )
    review.full_clean()
    review.save()
    # A pending review is never scored, so no recompute yet; its verified label is derived now.
    reviews_refresh_verification(provider_ids=[engagement.provider_id])
    reviews_flag_bursts(provider_ids=[engagement.provider_id])  # an unusual burst is held and flagged for moderators
    review.refresh_from_db(fields=["verified"])
    return review


@transaction.atomic
def review_update(*, review: Review, author, **changes) -> Review:
    """Apply the author's edits within the edit window; the edited review goes back to moderation."""
    if review.author_id is None or review.author_id != author.pk:
        raise PermissionDenied(_("只能修改自己的评价。"))
    if not review_is_editable(review=review):
        raise ValidationError(_("评价提交超过 30 天，或已被判定为恶意评价，不能再修改。"))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    was_published = review.status == Review.Status.PUBLISHED
    for name, value in changes.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    # Re-moderated so an approved review cannot be swapped for unreviewed text.
    review.status = Review.Status.PENDING
    review.full_clean()
    review.save()
    if was_published:
        # It leaves the published, scored set until approved again, and the public pages at once.
        ratings_request_recompute(provider_ids=[review.provider_id])
        transaction.on_commit(directory_cache_bump)
    return review


@transaction.atomic
def review_reply(*, review: Review, author, body: str) -> Review:
    """Set (or replace) the provider's public reply to a published review, from one of the provider's accounts."""
    if not review.provider.members.filter(pk=author.pk).exists():
        raise PermissionDenied(_("只有该服务商的账号可以回复。"))
    if review.status != Review.Status.PUBLISHED:
        raise ValidationError(_("只能回复已发布的评价。"))
    body = body.strip()
    if not body:
        raise ValidationError({"reply": _("请填写回复内容。")})
    review.reply = body
    review.replied_at = timezone.now()
    review.full_clean()
    review.save(update_fields=["reply", "replied_at", "updated_at"])
    transaction.on_commit(directory_cache_bump)  # the reply is shown on the provider's (cached) public page
    return review
