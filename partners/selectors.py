"""Reads of partner access data: keys by their secret, a key's webhooks and deliveries, remembered requests."""
from __future__ import annotations

import hashlib
import hmac

from django.db.models import F, Prefetch, QuerySet

from profiles.selectors import credentials_verified_prefetch
from providers.models import Provider
from providers.selectors import provider_list
from ratings.models import DIMENSION_FIELDS, Review, ScoreSnapshot

from .models import ApiKey, IdempotentRequest, WebhookDelivery, WebhookSubscription

KEY_SEPARATOR = "."


def api_key_hash(raw: str) -> str:
    """SHA-256 of the whole key: the secret part is random and long, so a fast hash cannot be brute-forced."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_get_by_raw(*, raw: str) -> ApiKey | None:
    """The key whose prefix and hash match `raw` (revoked and expired keys included), or None."""
    prefix, separator, secret = raw.partition(KEY_SEPARATOR)
    if not separator or not prefix or not secret or len(prefix) > 16:
        return None
    api_key = ApiKey.objects.filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, api_key_hash(raw)):
        return None
    return api_key


def webhook_subscriptions_of(*, api_key: ApiKey) -> QuerySet[WebhookSubscription]:
    """A key's own subscriptions, newest first."""
    return WebhookSubscription.objects.filter(api_key=api_key).order_by("-created_at", "id")


def webhook_deliveries_of(*, subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """A subscription's delivery log (newest first is applied by the paginator)."""
    return WebhookDelivery.objects.filter(subscription=subscription)


def idempotent_request_get(*, api_key: ApiKey, endpoint: str, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(api_key=api_key, endpoint=endpoint, key=key).first()


# Directory reads shaped for the API (the merchant pages have their own in providers.selectors).

def provider_api_queryset(*, detail: bool = False) -> QuerySet[Provider]:
    """Providers of every status with reference codes and their latest snapshot prefetched (5 queries a page)."""
    snapshots = ScoreSnapshot.objects.filter(period=F("provider__rated_period"))
    if not detail:
        snapshots = snapshots.only(*LIST_SNAPSHOT_FIELDS)
    providers = provider_list(include_delisted=True).prefetch_related(
        Prefetch("snapshots", queryset=snapshots, to_attr="latest_snapshots")
    )
    # The detail carries the platforms' own grades (profiles), one more query.
    return providers.prefetch_related(credentials_verified_prefetch()) if detail else providers


LIST_SNAPSHOT_FIELDS = (
    "id", "provider_id", "period", "composite", "review_score", "performance_score", "active_stores",
    "excellent_stores",
)


def provider_api_get(*, slug: str) -> Provider:
    """One provider by slug, whatever its status, with its latest snapshot; raises Provider.DoesNotExist."""
    return provider_api_queryset(detail=True).get(slug=slug)


def provider_api_compare(*, slugs: list[str]) -> list[Provider]:
    """The providers named by `slugs`, in that order (unknown slugs left out)."""
    by_slug = {p.slug: p for p in provider_api_queryset(detail=True).filter(slug__in=slugs)}
    return [by_slug[slug] for slug in slugs if slug in by_slug]


def provider_history(*, provider: Provider) -> QuerySet[ScoreSnapshot]:
    """The provider's monthly snapshots, newest first, with the policy version (explanations not loaded)."""
    return (
        ScoreSnapshot.objects.filter(provider=provider)
        .annotate(policy_version=F("policy__version"))
        .only("period", "composite", "review_score", "performance_score", "candidate_tier", "tier", "status",
              "at_risk")
        .order_by("-period")
    )


def provider_public_reviews(*, provider: Provider) -> QuerySet[Review]:
    """The provider's published reviews; who wrote them and for which store is never loaded."""
    return Review.objects.filter(provider=provider, status=Review.Status.PUBLISHED).only(
        "id", "rating", *DIMENSION_FIELDS, "title", "body", "created_at", "verified", "reply", "replied_at",
    )
