"""A what-if of a policy draft: the active policy and the draft rating the same facts of today, nothing written."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from providers.models import Provider

from .. import scoring
from ..models import TIER_CHOICES, RatingPolicy
from .engine import policy_active, policy_to_scoring, previous_snapshots, ratings_gather_facts

TIERS = [tier for tier, _label in TIER_CHOICES] + [None]


@dataclass
class TierMove:
    """One provider whose tier or status would differ under the draft."""

    provider_id: int
    name: str
    slug: str
    tier_now: int | None
    tier_draft: int | None
    composite_now: object
    composite_draft: object
    status_now: str
    status_draft: str
    candidate_now: int | None = None
    candidate_draft: int | None = None
    at_risk_now: bool = False
    at_risk_draft: bool = False

    @property
    def status_now_label(self) -> str:
        return Provider.Status(self.status_now).label

    @property
    def status_draft_label(self) -> str:
        return Provider.Status(self.status_draft).label

    @property
    def direction(self) -> str:
        return "up" if (self.tier_draft or 0) > (self.tier_now or 0) else "down" if (
            (self.tier_draft or 0) < (self.tier_now or 0)) else "same"


@dataclass
class PolicyPreview:
    """A draft against the active policy on the same facts: per tier, how many providers gain, lose or keep it."""

    as_of: dt.date
    period: dt.date
    active_version: int
    providers: int = 0
    # tier (None = no tier) → {"now": n, "draft": n, "gain": n, "lose": n, "keep": n}
    tiers: dict = field(default_factory=dict)
    moves: list[TierMove] = field(default_factory=list)

    @property
    def up(self) -> int:
        return sum(1 for move in self.moves if move.direction == "up")

    @property
    def down(self) -> int:
        return sum(1 for move in self.moves if move.direction == "down")

    @property
    def unchanged(self) -> int:
        return self.providers - self.up - self.down

    @property
    def newly_at_risk(self) -> int:
        """Kept their tier this month only by hysteresis: the draft's candidate is lower (降级预警)."""
        return sum(1 for move in self.moves if move.at_risk_draft and not move.at_risk_now)


def policy_preview(*, draft: RatingPolicy, as_of: dt.date | None = None) -> PolicyPreview:
    """Rate every provider for the period of `as_of` (default today) under the active policy and under the draft.

    Reads only: the facts are gathered as a recompute would (`ratings_gather_facts`) and fed to `scoring.rate`;
    nothing is written. Activating the draft recomputes the same period as of today, so on unchanged data its
    snapshots carry exactly the draft's tiers shown here.
    """
    as_of = as_of or timezone.localdate()
    period = scoring.month_start(as_of)
    active_row = policy_active()
    draft_row = RatingPolicy.objects.prefetch_related("gates__required_services").get(pk=draft.pk)
    active, candidate = policy_to_scoring(active_row), policy_to_scoring(draft_row)
    previous = previous_snapshots(period=period, provider_ids=None)
    # Facts depend on the policy (window, weights, excellent threshold), so each side gathers its own.
    facts_now = ratings_gather_facts(as_of=as_of, period=period, policy=active, provider_ids=None, previous=previous)
    facts_draft = ratings_gather_facts(
        as_of=as_of, period=period, policy=candidate, provider_ids=None, previous=previous
    )
    preview = PolicyPreview(as_of=as_of, period=period, active_version=active_row.version, providers=len(facts_now))
    now_counts, draft_counts, kept = Counter(), Counter(), Counter()
    changed = []
    for provider_id, facts in facts_now.items():
        before, after = scoring.rate(facts, active), scoring.rate(facts_draft[provider_id], candidate)
        now_counts[before.tier] += 1
        draft_counts[after.tier] += 1
        if before.tier == after.tier:
            kept[before.tier] += 1
        if (before.tier, before.status, before.candidate_tier, before.at_risk) != (
            after.tier, after.status, after.candidate_tier, after.at_risk
        ):
            changed.append((provider_id, before, after))
    preview.tiers = {
        tier: {
            "now": now_counts[tier], "draft": draft_counts[tier], "keep": kept[tier],
            "gain": draft_counts[tier] - kept[tier], "lose": now_counts[tier] - kept[tier],
        }
        for tier in TIERS
    }
    names = Provider.objects.in_bulk([provider_id for provider_id, *_rest in changed])
    preview.moves = sorted(
        (
            TierMove(
                provider_id=provider_id, name=names[provider_id].name, slug=names[provider_id].slug,
                tier_now=before.tier, tier_draft=after.tier, composite_now=before.composite,
                composite_draft=after.composite, status_now=before.status, status_draft=after.status,
                candidate_now=before.candidate_tier, candidate_draft=after.candidate_tier, at_risk_now=before.at_risk,
                at_risk_draft=after.at_risk,
            )
            for provider_id, before, after in changed
        ),
        # Falls first, then rises, then candidate-only changes (at risk), each by name.
        key=lambda move: ((move.direction == "same"), (move.tier_draft or 0) - (move.tier_now or 0), move.name),
    )
    return preview
