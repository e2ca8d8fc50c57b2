"""The states of a request and of each provider's part in it, and the only moves between them.

Every status change goes through `advance`, which refuses a move the table does not list, so no view or task
compares status strings of its own. The services call it inside their transaction and audit the move.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    OPEN = "open", _("征集方案中")
    HIRED = "hired", _("已选定服务商")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已结束")


class BidStatus(models.TextChoices):
    """One invited provider's part in a request (邀请 → 方案 → 选定 → 确认)."""

    INVITED = "invited", _("待回复")
    PROPOSED = "proposed", _("已提交方案")
    DECLINED = "declined", _("已婉拒")
    EXPIRED = "expired", _("超时未回复")
    ACCEPTED = "accepted", _("已选定，待服务商确认")
    CONFIRMED = "confirmed", _("合作已确认")
    NOT_SELECTED = "not_selected", _("未选中")
    WITHDRAWN = "withdrawn", _("需求已撤回")


REQUEST_MOVES: dict[str, set[str]] = {
    RequestStatus.OPEN: {RequestStatus.HIRED, RequestStatus.WITHDRAWN, RequestStatus.CLOSED},
    # The chosen provider did not confirm: the merchant chooses again among the proposals that came back (or, with none,
    # the request closes).
    RequestStatus.HIRED: {RequestStatus.OPEN},
    RequestStatus.WITHDRAWN: set(),
    RequestStatus.CLOSED: set(),
}

BID_MOVES: dict[str, set[str]] = {
    BidStatus.INVITED: {BidStatus.PROPOSED, BidStatus.DECLINED, BidStatus.EXPIRED, BidStatus.WITHDRAWN,
                        BidStatus.NOT_SELECTED},
    BidStatus.PROPOSED: {BidStatus.ACCEPTED, BidStatus.NOT_SELECTED, BidStatus.WITHDRAWN},
    BidStatus.ACCEPTED: {BidStatus.CONFIRMED, BidStatus.DECLINED},
    BidStatus.DECLINED: set(),
    BidStatus.EXPIRED: set(),
    BidStatus.CONFIRMED: set(),
    BidStatus.NOT_SELECTED: set(),  # but see BID_REOPEN_MOVES
    BidStatus.WITHDRAWN: set(),
}

# The one move of the refused hire's reopening (services._parts_reopen): the proposals passed over for the hire come
# back. Kept out of BID_MOVES, so no other step can make it: a provider passed over cannot put itself back with a new
# proposal, and one that never answered cannot answer after the choice.
BID_REOPEN_MOVES: dict[str, set[str]] = {BidStatus.NOT_SELECTED: {BidStatus.PROPOSED}}

# Parts still waiting for something from the provider or the merchant.
BID_OPEN = {BidStatus.INVITED, BidStatus.PROPOSED, BidStatus.ACCEPTED}
# Parts whose thread takes messages: the open ones and a confirmed hire.
BID_TALKING = BID_OPEN | {BidStatus.CONFIRMED}
# Invitations that ended with nothing for the merchant to choose: refused or left unanswered.
BID_ENDED_UNANSWERED = {BidStatus.DECLINED, BidStatus.EXPIRED}


def request_finished(parts: list[tuple[str, bool]]) -> bool:
    """Whether an open request has run its course: nothing is left for the merchant to choose and nobody is left to
    answer. Each part (status, holds a proposal) refused the invitation or let it expire, or is one the merchant's
    choice passed over without a proposal (invited, never answered).

    A declined part with a proposal refused a hire (accepted → declined): the proposals passed over for it came back
    (not_selected → proposed), so the request stays open while one is there to choose; when none was, it is finished.
    A not_selected part that still holds a proposal is choosable again, never finished.
    """
    return bool(parts) and all(
        status in BID_ENDED_UNANSWERED or (status == BidStatus.NOT_SELECTED and not proposed)
        for status, proposed in parts
    )


def hire_refused(parts: list[tuple[str, bool]]) -> bool:
    """Whether a part (status, holds a proposal) refused the hire: only a chosen part declines with a proposal."""
    return (BidStatus.DECLINED, True) in parts


def can_move(table: dict[str, set[str]], current: str, target: str) -> bool:
    return target in table.get(current, ())


def advance(obj, target: str, *, table: dict[str, set[str]], labels: type[models.TextChoices]) -> str:
    """Set obj.status to target if the table allows it; return the previous status. Saves nothing."""
    current = obj.status
    if not can_move(table, current, target):
        raise ValidationError(
            _("状态不能从“%(current)s”变为“%(target)s”。")
            % {"current": labels(current).label, "target": labels(target).label},
            code="invalid_transition",
        )
    obj.status = target
    return current
