"""Reads of profile changes, credentials and cases: the team's own lists, the public page's, the merchant's."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from providers.models import Engagement, Provider, Store
from ratings.models import StorePerformance, TierGate

from .models import Case, PlatformCredential, ProfileChange
from .presenters import case_display, credential_badge


def gate_service_codes() -> set[str]:
    """The services some tier gate of the active policy requires (warehousing, cross_border…): claiming one
    moves a provider's tier, so adding it to a profile needs evidence."""
    return set(
        TierGate.objects.filter(policy__is_active=True).values_list("required_services__code", flat=True)
    ) - {None}


# The team's portal pages ------------------------------------------------------------------------------------------

def provider_pending_change(*, provider: Provider) -> ProfileChange | None:
    return ProfileChange.objects.filter(provider=provider, status=ProfileChange.Status.PENDING).first()


def provider_changes(*, provider: Provider, limit: int = 20) -> list[ProfileChange]:
    return list(ProfileChange.objects.filter(provider=provider).order_by("-created_at", "-pk")[:limit])


def provider_credentials(*, provider: Provider) -> list[PlatformCredential]:
    """Every credential the team submitted, newest period first."""
    return list(PlatformCredential.objects.filter(provider=provider).select_related("platform"))


def provider_cases(*, provider: Provider) -> list[Case]:
    return list(Case.objects.filter(provider=provider).select_related("platform", "category", "store__platform"))


def provider_case_stores(*, provider: Provider) -> QuerySet[Store]:
    """The stores a case may name: those the provider runs or ran (an engagement, whatever its dates)."""
    return (
        Store.objects.filter(pk__in=Engagement.objects.filter(provider=provider).values("store_id"))
        .select_related("platform").order_by("platform__position", "name")
    )


def evidence_owner(*, model: type, pk: int) -> PlatformCredential | ProfileChange | None:
    """The row whose evidence is asked for, with its provider (for the permission check)."""
    return model.objects.select_related("provider").filter(pk=pk).first()


# Public pages -----------------------------------------------------------------------------------------------------

def credentials_verified(*, provider_ids: list[int]) -> dict[int, list[PlatformCredential]]:
    """Verified credentials by provider (expired ones included: the page marks them 已过期), in one query."""
    by_provider: dict[int, list[PlatformCredential]] = defaultdict(list)
    rows = (
        PlatformCredential.objects.filter(provider_id__in=provider_ids, status=PlatformCredential.Status.VERIFIED)
        .select_related("platform").order_by("-period_end", "pk")
    )
    for credential in rows:
        by_provider[credential.provider_id].append(credential)
    return dict(by_provider)


def cases_published(*, provider: Provider) -> list[Case]:
    """The provider's published cases, each with `performance`: its store's verified monthly figures averaged
    over the case's months (None without a store or rows). Two queries whatever the number of cases."""
    cases = list(
        Case.objects.filter(provider=provider, status=Case.Status.PUBLISHED)
        .select_related("platform", "category", "store__platform")
    )
    linked = [case for case in cases if case.store_id]
    figures = _performance_by_case(linked) if linked else {}
    for case in cases:
        case.performance = figures.get(case.pk)
    return cases


PERFORMANCE_FIELDS = ("product_score", "logistics_score", "service_score", "on_time_ship_rate", "complaint_rate",
                      "refund_rate")


def _performance_by_case(cases: list[Case]) -> dict[int, dict]:
    # One query: every case's store-and-months window OR'ed together, grouped per store and month range below.
    window = Q()
    for case in cases:
        window |= Q(store_id=case.store_id, period__gte=case.period_start, period__lte=case.period_end)
    rows = list(StorePerformance.objects.filter(window).values("store_id", "period", *PERFORMANCE_FIELDS))
    result = {}
    for case in cases:
        months = [r for r in rows if r["store_id"] == case.store_id
                  and case.period_start <= r["period"] <= case.period_end]
        if months:
            result[case.pk] = {
                "months": len(months),
                **{name: sum(r[name] for r in months) / Decimal(len(months)) for name in PERFORMANCE_FIELDS},
            }
    return result


# The merchant's page ----------------------------------------------------------------------------------------------

def merchant_case_requests(*, user) -> list[Case]:
    """Cases naming one of the user's stores that asked to be named (or were answered), newest first."""
    return list(
        Case.objects.filter(store__merchants=user).exclude(naming=Case.Naming.ANONYMOUS)
        .exclude(status=Case.Status.REJECTED)
        .select_related("provider", "platform", "category", "store__platform").order_by("-created_at", "-pk")
    )


def merchant_case_get(*, user, pk: int) -> Case | None:
    """One such case, only if the user is a merchant of its store (None otherwise: the view answers 404)."""
    return (
        Case.objects.filter(pk=pk, store__merchants=user).exclude(naming=Case.Naming.ANONYMOUS)
        .select_related("provider", "store").first()
    )



# What the directory's pages show (providers.views may read these: the import-linter ignore names them).

def credential_badges_by_provider(*, provider_ids: list[int], today) -> dict[int, list[dict]]:
    """Each provider's verified credentials as dated badges ("天猫五星 · 2025Q4 · 已核验"), in one query."""
    return {
        provider_id: [credential_badge(credential, today=today) for credential in credentials]
        for provider_id, credentials in credentials_verified(provider_ids=provider_ids).items()
    }


def provider_showcase(*, provider: Provider, today) -> dict:
    """The provider page's part: credential badges and published cases (masked, named only with consent).
    Two queries, a third when a published case links a store (its verified figures)."""
    return {
        "credential_badges": credential_badges_by_provider(provider_ids=[provider.pk], today=today).get(provider.pk, []),
        "cases": [case_display(case) for case in cases_published(provider=provider)],
    }


def credentials_verified_prefetch() -> Prefetch:
    """Providers' verified credentials as `verified_credentials` (the partner API's detail; one query a page)."""
    return Prefetch(
        "credentials",
        queryset=PlatformCredential.objects.filter(status=PlatformCredential.Status.VERIFIED)
        .select_related("platform").order_by("-period_end", "pk"),
        to_attr="verified_credentials",
    )
