"""Rating policy versions: drafts copied from a version, a what-if preview of a draft, and activation."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.models import Provider

from .. import scoring, selectors
from ..models import TIER_CHOICES, RatingPolicy, TierGate
from .recompute import ratings_gather_facts

# RatingPolicy columns a draft copies; identity, state and audit columns are its own.
POLICY_OWN_FIELDS = {"id", "version", "is_active", "created_at", "activated_at", "activated_by"}
TIERS = [tier for tier, _label in TIER_CHOICES] + [None]


@transaction.atomic
def policy_draft_create(*, source: RatingPolicy, actor=None, name: str = "") -> RatingPolicy:
    """A new, editable draft with every number and gate of `source`."""
    values = model_to_dict(source, exclude=POLICY_OWN_FIELDS)
    values["name"] = name.strip() or _("%(name)s（草稿）") % {"name": source.name}
    draft = RatingPolicy.objects.create(**values)
    for gate in source.gates.prefetch_related("required_services"):
        copy = TierGate.objects.create(
            policy=draft, tier=gate.tier, min_score=gate.min_score, min_active_stores=gate.min_active_stores,
            min_excellent_stores=gate.min_excellent_stores,
        )
        copy.required_services.set(gate.required_services.all())
    return draft


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
    active_row = selectors.policy_active()
    draft_row = RatingPolicy.objects.prefetch_related("gates__required_services").get(pk=draft.pk)
    active, candidate = selectors.policy_to_scoring(active_row), selectors.policy_to_scoring(draft_row)
    previous = selectors.previous_snapshots(period=period, provider_ids=None)
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


def _check_activatable(policy: RatingPolicy) -> None:
    if not policy.is_draft:
        raise ValidationError(_("只有草稿可以启用；已启用过的版本不可修改。"))
    policy.full_clean(exclude=["version"])
    tiers = sorted(policy.gates.values_list("tier", flat=True))
    if not tiers:
        raise ValidationError(_("草稿至少需要一个星级门槛。"))
    weights = (policy.review_weight + policy.performance_weight,
               policy.product_weight + policy.logistics_weight + policy.service_weight)
    if any(total != 1 for total in weights):
        raise ValidationError(_("评价分与表现分权重之和、三项体验分权重之和都必须为 1。"))


@transaction.atomic
def policy_activate(*, policy: RatingPolicy, actor) -> RatingPolicy:
    """Make a draft the active policy under the next version number, then recompute this month after commit.

    The previous version stays as it was (read-only) and every snapshot keeps naming the version it was computed by.
    """
    policy = RatingPolicy.objects.select_for_update().get(pk=policy.pk)
    _check_activatable(policy)
    current = RatingPolicy.objects.select_for_update().filter(is_active=True)
    next_version = (RatingPolicy.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    # Two statements: the one-active constraint must hold after each.
    current.update(is_active=False)
    policy.version, policy.is_active = next_version, True
    policy.activated_at, policy.activated_by = timezone.now(), actor
    policy.save(update_fields=["version", "is_active", "activated_at", "activated_by"])
    transaction.on_commit(_recompute_today)
    return policy


def _recompute_today() -> None:
    from ratings.tasks import ratings_recompute_task

    ratings_recompute_task.delay(timezone.localdate().isoformat())
