"""The only moves of a claim (store or provider) and who makes each; services call `claim_advance`.

| from    | to        | by                                                          |
|---------|-----------|-------------------------------------------------------------|
| pending | verified  | a data steward / a partner key with `claims` (store), a grader (provider) |
| pending | rejected  | the same, with a reason shown to the claimant               |
| pending | withdrawn | the claimant                                                |

Verified, rejected and withdrawn are final: a merchant whose claim was rejected files a new one.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ClaimStatus

CLAIM_MOVES: dict[str, set[str]] = {
    ClaimStatus.PENDING: {ClaimStatus.VERIFIED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN},
    ClaimStatus.VERIFIED: set(),
    ClaimStatus.REJECTED: set(),
    ClaimStatus.WITHDRAWN: set(),
}


class ClaimStateError(Exception):
    """A move the table does not allow (the API answers 409 Conflict)."""

    def __init__(self, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            _("此认领已是“%(current)s”状态，不能再改为“%(target)s”。")
            % {"current": ClaimStatus(current).label, "target": ClaimStatus(target).label}
        )


def claim_is_open(claim) -> bool:
    return bool(CLAIM_MOVES[claim.status])


def claim_advance(claim, target: str, *, reason: str = "") -> None:
    """Set the claim's new status (unsaved) if the table allows the move; ClaimStateError otherwise."""
    if target not in CLAIM_MOVES[claim.status]:
        raise ClaimStateError(claim.status, target)
    claim.status = target
    claim.reason = reason
    claim.decided_at = timezone.now()
