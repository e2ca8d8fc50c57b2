"""The inquiry flow's transition table and the guarantee-language list."""
import pytest
from django.core.exceptions import ValidationError

from inquiries.promises import guarantee_phrases
from inquiries.states import (
    BID_MOVES, BID_REOPEN_MOVES, REQUEST_MOVES, BidStatus, RequestStatus, advance, can_move,
)


class Thing:
    def __init__(self, status):
        self.status = status


def test_every_status_has_its_moves_and_final_states_have_none():
    assert set(BID_MOVES) == set(BidStatus.values)
    assert set(REQUEST_MOVES) == set(RequestStatus.values)
    finals = {s for s, moves in BID_MOVES.items() if not moves}
    assert finals == {"declined", "expired", "confirmed", "withdrawn", "not_selected"}


@pytest.mark.parametrize(("current", "target", "allowed"), [
    ("invited", "proposed", True), ("invited", "accepted", False), ("proposed", "accepted", True),
    ("accepted", "confirmed", True), ("expired", "proposed", False), ("confirmed", "declined", False),
    ("not_selected", "accepted", False), ("accepted", "declined", True), ("not_selected", "proposed", False),
    ("not_selected", "invited", False),
])
def test_bid_moves(current, target, allowed):
    assert can_move(BID_MOVES, current, target) is allowed


def test_a_passed_over_part_comes_back_only_through_the_refused_hire_s_reopening():
    assert BID_REOPEN_MOVES == {"not_selected": {"proposed"}}
    bid = Thing("not_selected")
    with pytest.raises(ValidationError) as error:
        advance(bid, "proposed", table=BID_MOVES, labels=BidStatus)
    assert error.value.messages == ["状态不能从“未选中”变为“已提交方案”。"]
    assert bid.status == "not_selected"
    assert advance(bid, "proposed", table=BID_REOPEN_MOVES, labels=BidStatus) == "not_selected"
    assert bid.status == "proposed"
    # The reopening's table makes no other move.
    with pytest.raises(ValidationError):
        advance(Thing("invited"), "proposed", table=BID_REOPEN_MOVES, labels=BidStatus)


def test_a_refused_move_names_both_states_and_changes_nothing():
    bid = Thing("expired")
    with pytest.raises(ValidationError) as error:
        advance(bid, "proposed", table=BID_MOVES, labels=BidStatus)
    assert error.value.messages == ["状态不能从“超时未回复”变为“已提交方案”。"]
    assert bid.status == "expired"
    assert advance(Thing("invited"), "proposed", table=BID_MOVES, labels=BidStatus) == "invited"


@pytest.mark.parametrize(("text", "expected"), [
    ("我们保证销量翻倍", ["保证销量"]),
    ("保 证 销 量，包销量", ["保证销量", "包销量"]),
    ("首月保底GMV 50万", ["保底GMV"]),
    ("保证ROI不低于3", ["保证ROI"]),
    ("保证排名类目前三，保证流量", ["保证排名", "保证流量"]),
    ("可以帮忙刷单冲量", ["刷单"]),
    ("We offer GUARANTEED sales growth", ["guaranteed sales"]),
    ("ｇｕａｒａｎｔｅｅｄ ＲＯＩ", ["guaranteed ROI"]),
    ("稳赚不赔", ["稳赚不赔"]),
    # Ordinary proposal language stays clean.
    ("月服务费 2 万元，目标 GMV 增长 30%，按月复盘", []),
    ("我们会尽力提升销量和转化率", []),
    ("保证金 5000 元可退", []),
    ("", []),
])
def test_guarantee_phrases(text, expected):
    assert guarantee_phrases(text) == expected
