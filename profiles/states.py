"""The one transition table of profile changes, credentials and cases: the moves, who makes each, whether it
needs a reason. Services call `transition_check`; nothing else compares status strings to decide a move."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Case, PlatformCredential, ProfileChange

TEAM, GRADER, MERCHANT = "team", "grader", "merchant"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    by: str
    needs_reason: bool = False
    # Which field holds the state (cases have a second one: whether the store's merchant lets it be named).
    field: str = "status"


C, P, K = ProfileChange.Status, PlatformCredential.Status, Case.Status
N = Case.Naming

MOVES: dict[tuple[type, str], Move] = {
    (ProfileChange, "approve"): Move(frozenset({C.PENDING}), C.APPROVED, GRADER),
    (ProfileChange, "reject"): Move(frozenset({C.PENDING}), C.REJECTED, GRADER, needs_reason=True),
    (ProfileChange, "supersede"): Move(frozenset({C.PENDING}), C.SUPERSEDED, TEAM),
    (PlatformCredential, "verify"): Move(frozenset({P.PENDING}), P.VERIFIED, GRADER),
    # A verified badge can be taken back (the platform withdrew it), always with a reason the team sees.
    (PlatformCredential, "reject"): Move(frozenset({P.PENDING, P.VERIFIED}), P.REJECTED, GRADER, needs_reason=True),
    (Case, "publish"): Move(frozenset({K.PENDING}), K.PUBLISHED, GRADER),
    (Case, "reject"): Move(frozenset({K.PENDING, K.PUBLISHED}), K.REJECTED, GRADER, needs_reason=True),
    (Case, "name_approve"): Move(frozenset({N.REQUESTED, N.DECLINED}), N.APPROVED, MERCHANT, field="naming"),
    (Case, "name_decline"): Move(frozenset({N.REQUESTED, N.APPROVED}), N.DECLINED, MERCHANT, field="naming"),
}

# The grader's choices in the admin, per model.
GRADER_ACTIONS = {
    model: [action for (m, action), move in MOVES.items() if m is model and move.by == GRADER]
    for model in (ProfileChange, PlatformCredential, Case)
}


def transition_check(obj, action: str, *, reason: str = "") -> Move:
    """The move if `action` is allowed from the object's current state; ValidationError saying why not."""
    move = MOVES.get((type(obj), action))
    if move is None:
        raise ValidationError(_("未知的操作：%(action)s。") % {"action": action}, code="unknown_action")
    current = getattr(obj, move.field)
    if current not in move.sources:
        raise ValidationError(
            _("当前状态“%(state)s”不能执行此操作。") % {"state": getattr(obj, f"get_{move.field}_display")()},
            code="wrong_state",
        )
    if move.needs_reason and not reason.strip():
        raise ValidationError(_("驳回须填写理由（服务商团队会看到）。"), code="reason_required")
    return move
