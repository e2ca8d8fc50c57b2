"""Reads for requests: the suggestion, who sees what, and the providers' public response statistics."""
from __future__ import annotations

import datetime as dt
import statistics

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from providers.filters import DirectoryFilter
from providers.models import Platform, Provider, Service
from providers.selectors import DIRECTORY_ORDERING, provider_list
from ratings.masking import mask_personal_data

from .models import Bid, InquiryRequest
from .states import BidStatus

SUGGESTION_LIMIT = 5
RESPONSE_STATS_DAYS = 90
RESPONSE_STATS_MIN_REQUESTS = 5


def response_deadline() -> dt.timedelta:
    return dt.timedelta(days=settings.INQUIRY_RESPONSE_DAYS)


def providers_matching_needs(*, platform: Platform, category, services: list[Service], budget_min: int | None,
                             budget_max: int | None) -> QuerySet[Provider]:
    """Providers that could take the request, in the directory's default order (tier, then composite).

    The directory's own filter decides platform, category and budget (a quoted fee range overlapping the budget),
    so the suggestion and the directory never disagree; every wanted service is required (the directory's service
    filter is "any of"), as are acceptance of new clients and a listed status. Nothing paid changes the order.
    """
    data = {"platform": [platform.code], "category": [category.code]}
    if budget_min is not None:
        data |= {"fee_from": budget_min, "fee_to": budget_max}
    listing = provider_list(with_reference=False).filter(accepting_new_clients=True)
    matches = DirectoryFilter(data, queryset=listing).qs
    for service in services:
        matches = matches.filter(services=service)
    return matches.order_by(*DIRECTORY_ORDERING)


def providers_suggested(*, platform, category, services, budget_min, budget_max, exclude_ids=(),
                        limit: int = SUGGESTION_LIMIT) -> list[tuple[Provider, list[str]]]:
    """The first `limit` matching providers, each with the reasons it matched (shown to the merchant)."""
    matches = providers_matching_needs(platform=platform, category=category, services=services,
                                       budget_min=budget_min, budget_max=budget_max).exclude(pk__in=exclude_ids)
    reasons = [f"platform:{platform.code}", f"category:{category.code}",
               *(f"service:{s.code}" for s in services), f"budget:{budget_min}-{budget_max}", "accepting"]
    return [(provider, list(reasons)) for provider in matches[:limit]]


def contacts_visible(bid: Bid) -> bool:
    """Contact details pass between the two sides only once the merchant accepted this provider's proposal."""
    return bid.status in (BidStatus.ACCEPTED, BidStatus.CONFIRMED)


def thread_text(bid: Bid, text: str) -> str:
    """A proposal's or message's text as the other side may see it: masked until acceptance."""
    return text if contacts_visible(bid) else mask_personal_data(text)


def merchant_requests(*, user) -> QuerySet[InquiryRequest]:
    """The merchant's requests, newest first; hire_refused: a chosen provider declined the hire (states.hire_refused)."""
    refused = Bid.objects.filter(request=OuterRef("pk"), status=BidStatus.DECLINED, proposal__isnull=False)
    return (InquiryRequest.objects.filter(merchant=user).select_related("platform", "category", "store")
            .annotate(hire_refused=Exists(refused)).order_by("-created_at", "-pk"))


def provider_bids(*, provider: Provider) -> QuerySet[Bid]:
    """A provider's part in every request it was invited to (its inbox); never another provider's."""
    return (Bid.objects.filter(provider=provider)
            .select_related("request__platform", "request__category", "proposal")
            .order_by("-invited_at", "-pk"))


def provider_response_stats(*, provider: Provider, now: dt.datetime | None = None) -> dict | None:
    """Share answered within the deadline and median first-response time over the last 90 days, from 5 requests.

    Counted: requests whose deadline has passed or that were answered; one still inside its deadline and
    unanswered is neither on time nor late yet.
    """
    now = now or timezone.now()
    deadline = response_deadline()
    rows = list(
        Bid.objects.filter(provider=provider, invited_at__gte=now - dt.timedelta(days=RESPONSE_STATS_DAYS))
        .values_list("invited_at", "responded_at")
    )
    counted = [(invited, answered) for invited, answered in rows if answered or now - invited > deadline]
    if len(counted) < RESPONSE_STATS_MIN_REQUESTS:
        return None
    on_time = sum(1 for invited, answered in counted if answered and answered - invited <= deadline)
    waits = [(answered - invited).total_seconds() / 3600 for invited, answered in counted if answered]
    return {
        "deadline_days": settings.INQUIRY_RESPONSE_DAYS,
        "requests": len(counted),
        "answered_on_time_pct": round(100 * on_time / len(counted)),
        "median_response_hours": round(statistics.median(waits), 1) if waits else None,
    }


def inquiry_funnel(*, months: int = 12) -> dict:
    """Requests → answered → accepted → confirmed, per month of the invitation and per provider (counts of parts)."""
    counts = {
        "invited": Count("pk"),
        "answered": Count("pk", filter=Q(responded_at__isnull=False)),
        "accepted": Count("pk", filter=Q(status__in=[BidStatus.ACCEPTED, BidStatus.CONFIRMED])),
        "confirmed": Count("pk", filter=Q(status=BidStatus.CONFIRMED)),
    }
    by_month = list(Bid.objects.annotate(month=TruncMonth("invited_at")).values("month").annotate(
        requests=Count("request", distinct=True), **counts).order_by("-month")[:months])
    by_provider = list(Bid.objects.values("provider__slug", "provider__name").annotate(**counts)
                       .order_by("-invited", "provider__name")[:50])
    return {"by_month": by_month, "by_provider": by_provider}


def lead_data(bid: Bid) -> dict:
    """A request as the invited provider's systems receive it (API and webhooks): the needs, never the merchant.

    Expects the bid with request__platform, request__category and request__services loaded.
    """
    request = bid.request
    engagement = bid.engagement if bid.engagement_id else None
    return {
        "lead": bid.pk,
        "request": request.pk,
        "provider": bid.provider.slug,
        "status": bid.status,
        "invited_at": bid.invited_at.isoformat(),
        "responded_at": bid.responded_at.isoformat() if bid.responded_at else None,
        "platform": request.platform.code,
        "category": request.category.code,
        "services": sorted(s.code for s in request.services.all()),
        "budget_min": request.budget_min,
        "budget_max": request.budget_max,
        "start_month": request.start_month.strftime("%Y-%m"),
        "term_months": request.term_months,
        # Masked like the pages until acceptance; the merchant's name and contacts are never included.
        "description": thread_text(bid, request.description),
        "engagement": {"id": engagement.pk, "start_date": engagement.start_date.isoformat()} if engagement else None,
    }
