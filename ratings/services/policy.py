"""Rating policy versions: drafts copied from a version, and activation (the what-if preview is a selector)."""
from __future__ import annotations


from celery import current_app
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _


from ..models import RatingPolicy, TierGate

# RatingPolicy columns a draft copies; identity, state and audit columns are its own.
POLICY_OWN_FIELDS = {"id", "version", "is_active", "created_at", "activated_at", "activated_by"}


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


def _recompute_today() -> None:
    # By name: ratings.tasks imports these services.
    current_app.tasks["ratings.tasks.ratings_recompute_task"].delay(timezone.localdate().isoformat())
