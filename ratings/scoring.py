"""The rating policy's arithmetic, on plain values: no ORM, no I/O, Decimal end to end.

Everything a recompute decides is decided here, fed with aggregates fetched by services:
the decayed Bayesian review score, the performance score, the composite, the tier gates,
hysteresis between months, and the provider's status.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

HALF = Decimal("0.5")
CENT = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")

ACTIVE, PROBATION, DELISTED, SUSPENDED = "active", "probation", "delisted", "suspended"
# Statuses only an admin lifts: the computation keeps them.
STICKY_STATUSES = (DELISTED, SUSPENDED)


@dataclass(frozen=True)
class Gate:
    """What one tier demands."""

    tier: int
    min_score: Decimal
    min_active_stores: int
    min_excellent_stores: int
    required_services: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    """A plain copy of a RatingPolicy row and its gates (highest tier first)."""

    version: int
    prior_mean: Decimal
    prior_weight: Decimal
    half_life_days: int
    product_weight: Decimal
    logistics_weight: Decimal
    service_weight: Decimal
    window_months: int
    excellent_threshold: Decimal
    review_weight: Decimal
    performance_weight: Decimal
    probation_threshold: Decimal
    delist_after_months: int
    demote_after_months: int
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class Previous:
    """The facts of the previous month's snapshot that this month's decision depends on."""

    computed_tier: int | None
    tier: int | None
    status: str
    below_tier_months: int
    failing_months: int


@dataclass(frozen=True)
class Override:
    tier: int
    reason: str
    expires_on: dt.date | None


@dataclass(frozen=True)
class ReviewSums:
    """A provider's scored reviews summed by the database: count and rating sum exact, Σw and Σw·rating in doubles.

    `review_figures_from_sums` turns them into the figures `review_score` would give, or None when a double is
    too close to a rounding boundary to be sure (the caller then fetches the exact per-day groups).
    """

    count: int
    rating_sum: int
    weight: float
    weighted: float


@dataclass(frozen=True)
class PerformanceSums:
    """The window's performance entries summed exactly: how many, and Σ E."""

    rows: int
    total: Decimal


@dataclass
class Facts:
    """Everything known about one provider for one period, as fed to `rate`.

    Reviews come as per-day groups (exact) or as sums the database computed (`review_sums`, when not None);
    performance as the entries or as their exact sums (`performance_sums`, when not None).
    """

    review_groups: list[tuple[int, int, int]] = field(default_factory=list)  # (age_days, count, rating_sum)
    performance_entries: list[Decimal] = field(default_factory=list)  # E of every row in the window
    review_sums: ReviewSums | None = None
    performance_sums: PerformanceSums | None = None
    active_stores: int = 0
    excellent_stores: int = 0
    services: frozenset[str] = frozenset()
    admin_status: str = ACTIVE  # the provider's status as an admin left it (suspended sticks)
    previous: Previous | None = None
    override: Override | None = None


@dataclass
class Rating:
    """The outcome of one provider's period, ready to become a ScoreSnapshot."""

    review_score: Decimal
    review_count: int
    review_average: Decimal | None
    performance_score: Decimal | None
    performance_rows: int
    composite: Decimal | None
    active_stores: int
    excellent_stores: int
    candidate_tier: int | None
    computed_tier: int | None
    tier: int | None
    overridden: bool
    status: str
    at_risk: bool
    below_tier_months: int
    failing_months: int
    explanation: dict


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)
def decay_weight(age_days: int, half_life_days: int) -> Decimal:
    """w = 0.5 ** (age_days / half_life_days); a review loses half its weight every half-life."""
    if age_days <= 0:
        return Decimal(1)
    return HALF ** (Decimal(age_days) / Decimal(half_life_days))


def review_score(groups: Iterable[tuple[int, int, int]], policy: Policy) -> tuple[Decimal, Decimal]:
    """Bayesian average with time decay: (prior_weight·prior_mean + Σ w·rating) / (prior_weight + Σ w).

    `groups` are (age_days, count, rating_sum) of scored reviews; returns (R, Σ w).
    """
    weighted_sum = Decimal(0)
    weight_total = Decimal(0)
    for age_days, count, rating_sum in groups:
        w = decay_weight(age_days, policy.half_life_days)
        weighted_sum += w * rating_sum
        weight_total += w * count
    score = (policy.prior_weight * policy.prior_mean + weighted_sum) / (policy.prior_weight + weight_total)
    return score, weight_total


@dataclass(frozen=True)
class ReviewFigures:
    """What a rating shows of the reviews: R and Σw rounded to 4 places, the composite (None if unrated)."""

    score: Decimal
    weight: Decimal
    count: int
    rating_sum: int
    composite: Decimal | None


def review_figures(groups: Iterable[tuple[int, int, int]], performance: Decimal | None, policy: Policy) -> ReviewFigures:
    """The review figures from exact per-day groups, in Decimal."""
    groups = list(groups)
    review, weight_total = review_score(groups, policy)
    return ReviewFigures(
        score=round_half_up(review, SCORE_PLACES), weight=round_half_up(weight_total, SCORE_PLACES),
        count=sum(count for _, count, _ in groups), rating_sum=sum(total for _, _, total in groups),
        composite=composite_score(review, performance, policy) if performance is not None else None,
    )


# Relative error allowed per summed review for the database's doubles against the Decimal reference: each term is
# within a few units in the last place (2.2e-16) of its Decimal value, and a sum of n terms within n of those; this
# is ~50 times that bound, and still leaves one provider in millions at a boundary.
SUM_RELATIVE_ERROR = 1e-14


def review_figures_from_sums(sums: ReviewSums, performance: Decimal | None, policy: Policy) -> ReviewFigures | None:
    """The figures `review_figures` would give on the exact groups, from the database's double sums.

    Every figure shown is rounded (R and Σw to 4 places, the composite to 2), so a double decides it exactly unless it
    lies within its error bound of a half-way point: then None, and the caller rates the provider on exact groups.
    """
    if sums.count == 0:
        return review_figures([], performance, policy)
    tolerance = (sums.count + 64) * SUM_RELATIVE_ERROR
    review = (float(policy.prior_weight * policy.prior_mean) + sums.weighted) / (float(policy.prior_weight) + sums.weight)
    score = _round_double(review, 4, tolerance)
    weight = _round_double(sums.weight, 4, tolerance)
    composite = None
    if performance is not None:
        mixed = float(policy.review_weight) * review + float(policy.performance_weight) * float(performance)
        composite = _round_double(mixed, 2, tolerance)
        if composite is None:
            return None
    if score is None or weight is None:
        return None
    return ReviewFigures(score=score, weight=weight, count=sums.count, rating_sum=sums.rating_sum, composite=composite)


def _round_double(value: float, places: int, tolerance: float) -> Decimal | None:
    """value (≥ 0) rounded half-up to `places` as a Decimal, or None if within `tolerance` (relative) of a tie."""
    scaled = value * 10 ** places
    whole = math.floor(scaled)
    fraction = scaled - whole
    if abs(fraction - 0.5) <= scaled * tolerance + 1e-300:
        return None
    return Decimal(whole + (fraction > 0.5)).scaleb(-places)


def performance_entry(product: Decimal, logistics: Decimal, service: Decimal, policy: Policy) -> Decimal:
    """E of one monthly row: the weighted mix of the platform's three sub-scores."""
    return policy.product_weight * product + policy.logistics_weight * logistics + policy.service_weight * service


def composite_score(review: Decimal, performance: Decimal, policy: Policy) -> Decimal:
    """S = review_weight·R + performance_weight·P, rounded half-up to 2 decimals (gates compare this value)."""
    return round_half_up(policy.review_weight * review + policy.performance_weight * performance)


def gate_checks(gate: Gate, *, composite: Decimal, active: int, excellent: int, services: frozenset[str]) -> list[dict]:
    """Each of a gate's conditions with the provider's figure against the threshold."""
    missing_services = sorted(gate.required_services - services)
    return [
        {"name": "composite", "value": str(composite), "threshold": str(gate.min_score), "met": composite >= gate.min_score},
        {"name": "active_stores", "value": active, "threshold": gate.min_active_stores, "met": active >= gate.min_active_stores},
        {
            "name": "excellent_stores", "value": excellent, "threshold": gate.min_excellent_stores,
            "met": excellent >= gate.min_excellent_stores,
        },
        {
            "name": "services", "value": sorted(gate.required_services & services),
            "threshold": sorted(gate.required_services), "met": not missing_services, "missing": missing_services,
        },
    ]


def missing_for(checks: list[dict]) -> list[dict]:
    """What a provider lacks for a gate, one item per failed condition, in plain words (zh and en).

    The page introduces the list ("升至下一星级 … 还需：" / "… the provider still needs:"), so an item names
    only the shortfall: "2 家在营店铺" / "2 more active stores", "综合分再提高 0.12（达到 4.00）".
    """
    items = []
    for check in checks:
        if check["met"]:
            continue
        name = check["name"]
        if name == "composite":
            short = Decimal(check["threshold"]) - Decimal(check["value"])
            target = check["threshold"]
            items.append({"name": name, "short_by": str(short),
                          "text": f"综合分再提高 {short}（达到 {target}）",
                          "text_en": f"{short} more composite score points (to reach {target})"})
        elif name in ("active_stores", "excellent_stores"):
            short = check["threshold"] - check["value"]
            zh = "在营店铺" if name == "active_stores" else "优秀店铺"
            en = "active store" if name == "active_stores" else "excellent store"
            items.append({"name": name, "short_by": short,
                          "text": f"{short} 家{zh}", "text_en": f"{short} more {en}{'' if short == 1 else 's'}"})
        else:
            codes = check["missing"]
            items.append({"name": name, "missing": codes,
                          "text": "必备服务：" + "、".join(codes), "text_en": "required services: " + ", ".join(codes)})
    return items


def candidate_tier(policy: Policy, *, composite: Decimal, active: int, excellent: int, services: frozenset[str]):
    """The highest tier whose gates all hold (None if none), with every gate's checks for the explanation."""
    gates, best = [], None
    for gate in policy.gates:  # highest first
        checks = gate_checks(gate, composite=composite, active=active, excellent=excellent, services=services)
        met = all(c["met"] for c in checks)
        gates.append({"tier": gate.tier, "met": met, "checks": checks})
        if met and best is None:
            best = gate.tier
    return best, gates


def apply_hysteresis(candidate: int | None, previous: Previous | None, policy: Policy) -> tuple[int | None, bool, int]:
    """Promotion is immediate; demotion only after `demote_after_months` consecutive months below the tier.

    Returns (tier, at_risk, below_tier_months). Until then the tier is kept and flagged at risk (降级预警).
    """
    held = previous.computed_tier if previous else None
    if held is None or (candidate or 0) >= held:
        return candidate, False, 0
    below = previous.below_tier_months + 1
    if below >= policy.demote_after_months:
        return candidate, False, 0
    return held, True, below


def decide_status(composite: Decimal | None, facts: Facts, policy: Policy) -> tuple[str, int]:
    """Probation below the threshold; delisted after `delist_after_months` consecutive failing months.

    Delisted and suspended stick until an admin lifts them. Returns (status, failing_months).
    """
    previous = facts.previous
    failing = composite is not None and composite < policy.probation_threshold
    failing_months = ((previous.failing_months if previous else 0) + 1) if failing else 0
    if facts.admin_status == SUSPENDED:
        return SUSPENDED, failing_months
    if previous and previous.status == DELISTED:
        return DELISTED, failing_months
    if failing and failing_months >= policy.delist_after_months:
        return DELISTED, failing_months
    return (PROBATION if failing else ACTIVE), failing_months


def performance_score(facts: Facts) -> tuple[int, Decimal | None]:
    """(rows, P): the mean E of the window's entries, None without any."""
    if facts.performance_sums is not None:
        rows, total = facts.performance_sums.rows, facts.performance_sums.total
    else:
        rows, total = len(facts.performance_entries), sum(facts.performance_entries, Decimal(0))
    return rows, (total / rows if rows else None)


def needs_exact_reviews(facts: Facts, policy: Policy) -> bool:
    """Whether the database's double sums of a provider's reviews cannot decide its rounded figures."""
    if facts.review_sums is None:
        return False
    return review_figures_from_sums(facts.review_sums, performance_score(facts)[1], policy) is None


def rate(facts: Facts, policy: Policy) -> Rating:
    """Apply the whole policy to one provider's facts for one period."""
    rows, performance = performance_score(facts)
    if facts.review_sums is not None:
        figures = review_figures_from_sums(facts.review_sums, performance, policy)
        if figures is None:
            raise ValueError("review sums too close to a rounding boundary: rate this provider on exact groups")
    else:
        figures = review_figures(facts.review_groups, performance, policy)
    review_count, rating_sum = figures.count, figures.rating_sum
    review_average = round_half_up(Decimal(rating_sum) / review_count) if review_count else None

    explanation = {
        "policy_version": policy.version,
        "review": {
            "score": str(figures.score), "count": review_count,
            "average": str(review_average) if review_average is not None else None,
            "weight": str(figures.weight),
            "prior_mean": str(policy.prior_mean), "prior_weight": str(policy.prior_weight),
        },
        "performance": {
            "score": str(round_half_up(performance, SCORE_PLACES)) if performance is not None else None, "rows": rows,
        },
        "active_stores": facts.active_stores,
        "excellent_stores": facts.excellent_stores,
    }

    if performance is None:
        # No performance evidence: unrated this period, no composite and no tier.
        composite, candidate, gates = None, None, []
        tier, at_risk, below = None, False, 0
        explanation["unrated"] = True
    else:
        composite = figures.composite
        candidate, gates = candidate_tier(
            policy, composite=composite, active=facts.active_stores, excellent=facts.excellent_stores,
            services=facts.services,
        )
        tier, at_risk, below = apply_hysteresis(candidate, facts.previous, policy)
    status, failing_months = decide_status(composite, facts, policy)

    computed_tier = tier
    if facts.override is not None:
        tier, at_risk = facts.override.tier, False
        explanation["override"] = {
            "tier": facts.override.tier, "reason": facts.override.reason,
            "expires_on": facts.override.expires_on.isoformat() if facts.override.expires_on else None,
        }

    explanation.update({
        "composite": str(composite) if composite is not None else None,
        "gates": gates,
        "next_tier": _next_tier(candidate, gates),
        "candidate_tier": candidate,
        "computed_tier": computed_tier,
        "previous_tier": facts.previous.computed_tier if facts.previous else None,
        "below_tier_months": below,
        "failing_months": failing_months,
        "at_risk": at_risk,
        "status": status,
    })
    return Rating(
        review_score=figures.score, review_count=review_count, review_average=review_average,
        performance_score=round_half_up(performance, SCORE_PLACES) if performance is not None else None,
        performance_rows=rows, composite=composite, active_stores=facts.active_stores,
        excellent_stores=facts.excellent_stores, candidate_tier=candidate, computed_tier=computed_tier, tier=tier,
        overridden=facts.override is not None, status=status, at_risk=at_risk, below_tier_months=below,
        failing_months=failing_months, explanation=explanation,
    )


def _next_tier(candidate: int | None, gates: list[dict]) -> dict | None:
    """The tier just above the candidate and what is missing for it (None at the top or when unrated)."""
    above = [g for g in gates if g["tier"] > (candidate or 0)]
    if not above:
        return None
    target = min(above, key=lambda g: g["tier"])
    return {"tier": target["tier"], "missing": missing_for(target["checks"])}


def excellent_store_count(latest_entries: Mapping[int, Decimal], active_store_ids: set[int], policy: Policy) -> int:
    """Active stores whose latest row has E ≥ the excellent threshold.

    `latest_entries` holds each store's latest row in the window among the months the provider ran it, so a store
    taken over is judged on its months since the takeover only (docs/rating-policy.md §4).
    """
    return sum(1 for store_id, e in latest_entries.items() if store_id in active_store_ids and e >= policy.excellent_threshold)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first_of_month: dt.date) -> dt.date:
    return add_months(first_of_month, 1) - dt.timedelta(days=1)
