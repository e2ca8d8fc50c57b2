"""The policy's arithmetic, on plain values (no database)."""
from decimal import Decimal as D

import pytest

from ratings import scoring
from ratings.scoring import Facts, Gate, Override, Policy, Previous

FOUR = frozenset({"warehousing", "distribution", "cross_border", "multilingual"})


def policy(**changes) -> Policy:
    values = dict(
        version=1, prior_mean=D("3.50"), prior_weight=D("5"), half_life_days=180, product_weight=D("0.5"),
        logistics_weight=D("0.2"), service_weight=D("0.3"), window_months=3, excellent_threshold=D("4.50"),
        review_weight=D("0.4"), performance_weight=D("0.6"), probation_threshold=D("3.50"), delist_after_months=2,
        demote_after_months=2,
        gates=(
            Gate(6, D("4.70"), 50, 15, FOUR),
            Gate(5, D("4.50"), 20, 5, frozenset({"warehousing"})),
            Gate(4, D("4.00"), 8, 2),
            Gate(3, D("3.50"), 3, 0),
        ),
    )
    values.update(changes)
    return Policy(**values)


V1 = policy()


def previous(tier, *, below=0, failing=0, status="active"):
    return Previous(computed_tier=tier, tier=tier, status=status, below_tier_months=below, failing_months=failing)


GOOD_REVIEWS = [(0, 5, 25)]  # five fresh 5-star reviews: R = (17.5 + 25) / 10 = 4.25


def facts_for(p: D, *, active=3, excellent=0, services=frozenset(), reviews=(), **kw) -> Facts:
    """Facts whose performance score is exactly p; R is the prior 3.5 unless reviews are given."""
    return Facts(review_groups=list(reviews), performance_entries=[p], active_stores=active,
                 excellent_stores=excellent, services=services, **kw)


# -- review score: decay and prior ------------------------------------------------------------------

def test_decay_weight_halves_every_half_life():
    assert scoring.decay_weight(0, 180) == D(1)
    assert scoring.decay_weight(180, 180) == D("0.5")
    assert scoring.decay_weight(360, 180) == D("0.25")
    assert scoring.round_half_up(scoring.decay_weight(90, 180), D("0.000001")) == D("0.707107")


def test_review_score_without_reviews_is_the_prior():
    score, weight = scoring.review_score([], V1)
    assert score == D("3.5")
    assert weight == 0


def test_review_score_of_one_fresh_five_star_review():
    score, _ = scoring.review_score([(0, 1, 5)], V1)
    assert score == D("3.75")  # (5×3.5 + 5) / (5 + 1)


def test_review_score_decays_old_reviews():
    # A fresh 5 and a 180-day-old 1: (17.5 + 5 + 0.5×1) / (5 + 1 + 0.5) = 23 / 6.5
    score, weight = scoring.review_score([(0, 1, 5), (180, 1, 1)], V1)
    assert weight == D("1.5")
    assert scoring.round_half_up(score, D("0.0001")) == D("3.5385")


def test_review_score_counts_grouped_reviews_by_day():
    # Three reviews on one day summing 12 weigh as three reviews: (17.5 + 12) / 8
    score, _ = scoring.review_score([(0, 3, 12)], V1)
    assert score == D("3.6875")


# -- performance and composite ----------------------------------------------------------------------

def test_performance_entry_weights_product_logistics_service():
    assert scoring.performance_entry(D("5"), D("4"), D("3"), V1) == D("4.2")


def test_composite_rounds_half_up_to_two_decimals():
    # 0.4×4.0 + 0.6×4.775 = 4.465 exactly; half-even would give 4.46
    assert scoring.composite_score(D("4.0"), D("4.775"), V1) == D("4.47")


def test_unrated_without_performance_rows():
    rating = scoring.rate(Facts(review_groups=[(0, 1, 5)], active_stores=60, excellent_stores=20, services=FOUR), V1)
    assert rating.composite is None
    assert rating.performance_score is None
    assert rating.candidate_tier is None
    assert rating.tier is None
    assert rating.status == "active"
    assert rating.explanation["unrated"] is True
    assert rating.review_count == 1
    assert rating.review_average == D("5.00")


def test_rate_reports_plain_average_beside_bayesian_score():
    rating = scoring.rate(Facts(review_groups=[(0, 2, 9), (30, 1, 3)], performance_entries=[D("4")]), V1)
    assert rating.review_count == 3
    assert rating.review_average == D("4.00")
    assert rating.explanation["review"]["average"] == "4.00"


# -- gates -------------------------------------------------------------------------------------------

def test_gate_compares_the_rounded_composite():
    # R = 4.25; P = 4.6583 → S = 1.7 + 2.79498 = 4.49498 → 4.49, misses 5★;
    # P = 4.6584 → 4.49504 → 4.50, meets it.
    base = dict(active=20, excellent=5, services=frozenset({"warehousing"}), reviews=GOOD_REVIEWS)
    missed = scoring.rate(facts_for(D("4.6583"), **base), V1)
    assert (missed.composite, missed.candidate_tier) == (D("4.49"), 4)
    met = scoring.rate(facts_for(D("4.6584"), **base), V1)
    assert (met.composite, met.candidate_tier) == (D("4.50"), 5)


WAREHOUSING = frozenset({"warehousing"})


@pytest.mark.parametrize(
    ("p", "active", "excellent", "services", "composite", "expected"),
    [
        (D("5.0"), 50, 15, FOUR, "4.70", 6),
        (D("5.0"), 49, 15, FOUR, "4.70", 5),  # one active store short of 6★
        (D("5.0"), 50, 14, FOUR, "4.70", 5),  # one excellent store short of 6★
        (D("5.0"), 50, 15, FOUR - {"multilingual"}, "4.70", 5),  # a required service missing
        (D("4.9833"), 50, 15, FOUR, "4.69", 5),  # 4.68998 → 4.69
        (D("4.6834"), 20, 5, WAREHOUSING, "4.51", 5),
        (D("4.6834"), 19, 5, WAREHOUSING, "4.51", 4),
        (D("4.6834"), 20, 4, WAREHOUSING, "4.51", 4),
        (D("4.6834"), 20, 5, frozenset(), "4.51", 4),  # no warehousing
        (D("3.8334"), 8, 2, frozenset(), "4.00", 4),
        (D("3.8334"), 7, 2, frozenset(), "4.00", 3),
        (D("3.8334"), 8, 1, frozenset(), "4.00", 3),
        (D("3.0"), 3, 0, frozenset(), "3.50", 3),
        (D("3.0"), 2, 0, frozenset(), "3.50", None),
        (D("2.9916"), 3, 0, frozenset(), "3.49", None),  # 3.49496 → 3.49
    ],
)
def test_candidate_tier_is_highest_tier_whose_gates_all_hold(p, active, excellent, services, composite, expected):
    rating = scoring.rate(
        facts_for(p, active=active, excellent=excellent, services=services, reviews=GOOD_REVIEWS), V1
    )
    assert rating.composite == D(composite)
    assert rating.candidate_tier == expected
    assert rating.tier == expected


def test_explanation_lists_each_gate_and_what_is_missing_for_next_tier():
    rating = scoring.rate(facts_for(D("4.3334"), active=8, excellent=2, services=frozenset({"operation"})), V1)
    assert rating.composite == D("4.00")
    gates = {g["tier"]: g for g in rating.explanation["gates"]}
    assert [g["tier"] for g in rating.explanation["gates"]] == [6, 5, 4, 3]
    assert gates[4]["met"] is True and gates[5]["met"] is False
    assert gates[5]["checks"][0] == {"name": "composite", "value": "4.00", "threshold": "4.50", "met": False}
    assert gates[5]["checks"][1] == {"name": "active_stores", "value": 8, "threshold": 20, "met": False}
    nxt = rating.explanation["next_tier"]
    assert nxt["tier"] == 5
    assert [m["text_en"] for m in nxt["missing"]] == [
        "0.50 more composite score points (to reach 4.50)", "12 more active stores", "3 more excellent stores",
        "required services: warehousing",
    ]
    assert [m["text"] for m in nxt["missing"]] == [
        "综合分再提高 0.50（达到 4.50）", "12 家在营店铺", "3 家优秀店铺", "必备服务：warehousing",
    ]


def test_no_next_tier_at_the_top():
    rating = scoring.rate(facts_for(D("5.5"), active=50, excellent=15, services=FOUR), V1)
    assert rating.explanation["next_tier"] is None


# -- hysteresis --------------------------------------------------------------------------------------

def test_promotion_is_immediate():
    rating = scoring.rate(facts_for(D("4.3334"), active=8, excellent=2, previous=previous(3)), V1)
    assert (rating.tier, rating.at_risk) == (4, False)


def test_one_month_dip_keeps_tier_at_risk():
    rating = scoring.rate(facts_for(D("3.5"), active=8, excellent=2, previous=previous(4)), V1)
    assert rating.candidate_tier == 3
    assert (rating.computed_tier, rating.tier, rating.at_risk, rating.below_tier_months) == (4, 4, True, 1)


def test_second_month_below_demotes_to_candidate():
    rating = scoring.rate(facts_for(D("3.5"), active=8, excellent=2, previous=previous(4, below=1)), V1)
    assert (rating.tier, rating.at_risk, rating.below_tier_months) == (3, False, 0)


def test_recovery_after_a_dip_clears_at_risk():
    rating = scoring.rate(facts_for(D("4.3334"), active=8, excellent=2, previous=previous(4, below=1)), V1)
    assert (rating.tier, rating.at_risk, rating.below_tier_months) == (4, False, 0)


def test_losing_every_tier_is_a_dip_too():
    rating = scoring.rate(facts_for(D("3.5"), active=2, previous=previous(3)), V1)
    assert rating.candidate_tier is None
    assert (rating.tier, rating.at_risk) == (3, True)


# -- status ------------------------------------------------------------------------------------------

def test_one_failing_month_is_probation():
    rating = scoring.rate(facts_for(D("3.3")), V1)  # S = 1.4 + 1.98 = 3.38
    assert rating.composite == D("3.38")
    assert (rating.status, rating.failing_months) == ("probation", 1)


def test_two_consecutive_failing_months_delist():
    rating = scoring.rate(facts_for(D("3.3"), previous=previous(None, failing=1, status="probation")), V1)
    assert (rating.status, rating.failing_months) == ("delisted", 2)


def test_delisting_sticks_even_when_scores_recover():
    rating = scoring.rate(facts_for(D("5.0"), previous=previous(None, failing=2, status="delisted")), V1)
    assert rating.status == "delisted"


def test_passing_month_after_probation_is_active():
    rating = scoring.rate(facts_for(D("3.5"), previous=previous(3, failing=1, status="probation")), V1)
    assert (rating.status, rating.failing_months) == ("active", 0)


def test_suspension_by_an_admin_is_kept():
    rating = scoring.rate(facts_for(D("5.0"), admin_status="suspended"), V1)
    assert rating.status == "suspended"


# -- override ----------------------------------------------------------------------------------------

def test_override_is_the_effective_tier_and_candidate_is_still_recorded():
    rating = scoring.rate(facts_for(D("3.5"), active=3, override=Override(tier=5, reason="官方认证", expires_on=None)), V1)
    assert (rating.candidate_tier, rating.computed_tier, rating.tier, rating.overridden) == (3, 3, 5, True)
    assert rating.explanation["override"] == {"tier": 5, "reason": "官方认证", "expires_on": None}


def test_policy_numbers_come_from_the_policy():
    strict = policy(prior_mean=D("3.0"), prior_weight=D("10"), half_life_days=30)
    score, weight = scoring.review_score([(30, 1, 5)], strict)
    assert weight == D("0.5")
    assert score == D("32.5") / D("10.5")


def test_month_arithmetic():
    import datetime as dt

    assert scoring.add_months(dt.date(2025, 1, 1), -2) == dt.date(2024, 11, 1)
    assert scoring.month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert scoring.month_start(dt.date(2025, 6, 17)) == dt.date(2025, 6, 1)


# -- what the next tier still needs ------------------------------------------------------------------


def missing(*, composite, active, excellent, services=frozenset()):
    checks = scoring.gate_checks(Gate(4, D("4.00"), 8, 2, frozenset({"warehousing"})), composite=D(composite),
                                 active=active, excellent=excellent, services=services)
    return scoring.missing_for(checks)


def test_missing_items_name_only_the_shortfall():
    items = missing(composite="3.88", active=6, excellent=1)

    assert [m["text"] for m in items] == [
        "综合分再提高 0.12（达到 4.00）", "2 家在营店铺", "1 家优秀店铺", "必备服务：warehousing",
    ]
    assert [m["text_en"] for m in items] == [
        "0.12 more composite score points (to reach 4.00)", "2 more active stores", "1 more excellent store",
        "required services: warehousing",
    ]
    assert [m.get("short_by") for m in items] == ["0.12", 2, 1, None]


def test_one_missing_store_is_singular():
    items = missing(composite="4.00", active=7, excellent=2, services=frozenset({"warehousing"}))

    assert [(m["text"], m["text_en"]) for m in items] == [("1 家在营店铺", "1 more active store")]
