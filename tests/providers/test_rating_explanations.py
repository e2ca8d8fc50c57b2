"""Product-review fixes to how ratings read: the badge below three stars, R's arithmetic, the next-tier list,
the compare page's best marks and gate cells, and what the review count counts."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from providers.presenters import explanation_display, gate_check_lines
from ratings import scoring
from ratings.scoring import Facts, Gate, Policy
from tests.factories import ProviderFactory, ScoreSnapshotFactory

COMPARE_URL = reverse("providers:compare")
JUNE = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _fresh_pages(settings):
    """Factories write rows without bumping the ratings generation, so cards and pages are rendered fresh."""
    settings.DIRECTORY_CACHE_SECONDS = 0


def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def detail(client, slug):
    return client.get(reverse("providers:detail", kwargs={"slug": slug})).content.decode()


def text_of(html: str) -> str:
    """The page's words with tags dropped and whitespace collapsed, the way a reader meets them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def policy() -> Policy:
    return Policy(
        version=1, prior_mean=D("3.50"), prior_weight=D("5"), half_life_days=180, product_weight=D("0.5"),
        logistics_weight=D("0.2"), service_weight=D("0.3"), window_months=3, excellent_threshold=D("4.50"),
        review_weight=D("0.4"), performance_weight=D("0.6"), probation_threshold=D("3.50"), delist_after_months=2,
        demote_after_months=2,
        gates=(
            Gate(6, D("4.70"), 50, 15, frozenset({"warehousing", "distribution", "cross_border", "multilingual"})),
            Gate(5, D("4.50"), 20, 5, frozenset({"warehousing"})),
            Gate(4, D("4.00"), 8, 2),
            Gate(3, D("3.50"), 3, 0),
        ),
    )


# 1. The star badge: below three stars is not "no data" ----------------------------------------------------------


def badge(*, language="zh-hans", **context) -> str:
    with translation.override(language):
        return render_to_string("ratings/_stars.html", context)


def test_badge_without_a_tier_but_with_a_score_says_below_three_stars():
    html = badge(tier=None, score=D("3.42"))

    assert '<span class="stars__label">未达三星</span>' in html
    assert "暂无星级" not in html
    assert "★" not in html


def test_badge_without_a_tier_or_score_says_not_rated():
    for context in ({"tier": None}, {"tier": None, "score": None}, {"tier": None, "score": ""}):
        html = badge(**context)
        assert '<span class="stars__label">暂无星级</span>' in html, context
        assert "未达三星" not in html


def test_badge_with_a_tier_ignores_the_score():
    html = badge(tier=4, score=D("4.10"))

    assert '<span class="stars__label">四星</span>' in html
    assert "未达三星" not in html


def test_badge_texts_in_english():
    assert '<span class="stars__label">Below three stars</span>' in badge(tier=None, score=D("3.42"), language="en")
    assert '<span class="stars__label">Not rated yet</span>' in badge(tier=None, language="en")


def test_badge_has_no_trailing_whitespace_so_text_can_follow_it():
    assert badge(tier=3).endswith("</span>")


@pytest.mark.django_db
def test_directory_card_and_provider_page_say_below_three_stars_for_a_rated_provider_without_tier(client):
    ProviderFactory(slug="below", name="低分服务商", tier=None, score=D("4.79"))
    ProviderFactory(slug="unrated", name="未评服务商", tier=None, score=None)

    directory = client.get(reverse("providers:list")).content.decode()
    below_card = directory.split('id="provider-below"', 1)[1].split("</article>", 1)[0]
    unrated_card = directory.split('id="provider-unrated"', 1)[1].split("</article>", 1)[0]
    assert '<span class="stars__label">未达三星</span>' in below_card
    assert '<span class="stars__label">暂无星级</span>' in unrated_card

    page = detail(client, "below")
    rating = page.split('<div class="provider__rating">', 1)[1].split("</div>", 1)[0]
    assert '<span class="stars__label">未达三星</span>' in rating
    assert '<span class="stars__label">Below three stars</span>' in detail(english(client), "below")


@pytest.mark.django_db
def test_provider_page_snapshot_tier_says_below_three_stars(client):
    provider = ProviderFactory(slug="below", tier=None, score=D("3.20"))
    ScoreSnapshotFactory(provider=provider, period=JUNE, composite=D("3.20"), candidate_tier=None, computed_tier=None,
                         tier=None)

    html = detail(client, "below")

    assert '<dt>星级</dt><dd><span class="stars stars--none stars--below"><span class="stars__label">未达三星</span>' in html


@pytest.mark.django_db
def test_compare_tier_row_says_below_three_stars(client):
    ProviderFactory(slug="a", tier=None, score=D("3.90"))
    ProviderFactory(slug="b", tier=4, score=D("4.20"))

    response = client.get(COMPARE_URL, {"p": "a,b"})

    rows = {row["key"]: row for row in response.context["rows"]}
    assert [(c["tier"], c["score"]) for c in rows["tier"]["cells"]] == [(None, D("3.90")), (4, D("4.20"))]
    tier_row = response.content.decode().split("compare-row--tier", 1)[1].split("</tr>", 1)[0]
    assert '<span class="stars__label">未达三星</span>' in tier_row


# 2. R can be followed by hand --------------------------------------------------------------------------------------


def test_explanation_display_exposes_the_decayed_weight_and_prior():
    shown = explanation_display({"review": {"score": "4.3310", "count": 23, "average": "4.80", "weight": "8.2961",
                                            "prior_mean": "3.50", "prior_weight": "5.00"}})

    assert shown == {"review": {"weight": "8.30", "prior_mean": "3.50", "prior_weight": "5"}}


@pytest.mark.parametrize("review", [None, "x", {}, {"weight": "abc", "prior_mean": "3.50", "prior_weight": "5"},
                                    {"weight": "NaN", "prior_mean": "3.50", "prior_weight": "5"}])
def test_explanation_display_drops_a_malformed_review_part(review):
    assert "review" not in explanation_display({"review": review})


@pytest.mark.django_db
def test_provider_page_shows_the_effective_weight_so_r_can_be_recomputed(client):
    # 4 fresh reviews (w = 1) rating 20 in all, 4 half-life-old ones (w = 0.5) rating 16:
    # Σw = 6, Σ w·rating = 28, R = (5 × 3.50 + 28) / (5 + 6) = 4.1364.
    rating = scoring.rate(Facts(review_groups=[(0, 4, 20), (180, 4, 16)], performance_entries=[D("4.00")],
                                active_stores=3), policy())
    assert rating.explanation["review"]["weight"] == "6.0000"
    assert rating.review_score == D("4.1364")
    provider = ProviderFactory(slug="p", tier=3, score=rating.composite)
    ScoreSnapshotFactory(provider=provider, period=JUNE, review_score=rating.review_score, review_count=8,
                         review_average=D("4.50"), explanation=rating.explanation)

    page = text_of(detail(client, "p"))

    assert "4.14" in page
    assert ("每条评价的权重 w = 0.5^(距今天数 ÷ 180)，按时间衰减后的有效权重合计 Σw = 6.00："
            "R = (5 × 3.50 + Σ w·评分) ÷ (5 + 6.00)") in page
    english_page = text_of(detail(english(client), "p"))
    assert ("Each review weighs w = 0.5^(its age in days ÷ 180); after this time decay the reviews weigh "
            "Σw = 6.00 in total: R = (5 × 3.50 + Σ w·rating) ÷ (5 + 6.00)") in english_page


@pytest.mark.django_db
def test_provider_page_weight_line_uses_the_stored_figures(client):
    provider = ProviderFactory(slug="p", tier=4, score=D("4.31"))
    ScoreSnapshotFactory(provider=provider, period=JUNE, review_count=23, explanation={
        "review": {"score": "4.3310", "count": 23, "average": "4.80", "weight": "8.2961", "prior_mean": "3.50",
                   "prior_weight": "5.00"},
    })

    page = text_of(detail(client, "p"))

    assert "有效权重合计 Σw = 8.30：R = (5 × 3.50 + Σ w·评分) ÷ (5 + 8.30)" in page


@pytest.mark.django_db
def test_provider_page_without_scored_reviews_shows_no_weight_line(client):
    provider = ProviderFactory(slug="p")
    ScoreSnapshotFactory(provider=provider, period=JUNE, review_count=0, review_average=None, explanation={
        "review": {"score": "3.5000", "count": 0, "average": None, "weight": "0.0000", "prior_mean": "3.50",
                   "prior_weight": "5.00"},
    })

    page = text_of(detail(client, "p"))

    assert "暂无计分评价，取先验均值" in page
    assert "Σw" not in page


# 3. What the next tier still needs ---------------------------------------------------------------------------------


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


@pytest.mark.django_db
def test_next_tier_list_reads_as_one_sentence(client):
    rating = scoring.rate(Facts(performance_entries=[D("4.00")], active_stores=6, excellent_stores=1), policy())
    assert rating.tier == 3 and rating.composite == D("3.80")
    provider = ProviderFactory(slug="p", tier=3, score=rating.composite)
    ScoreSnapshotFactory(provider=provider, period=JUNE, composite=rating.composite, tier=3,
                         explanation=rating.explanation)

    block = text_of(detail(client, "p").split('<div class="next-tier">', 1)[1].split("</div>", 1)[0])
    assert block == " 升至下一星级 ★★★★ 四星 还需： 综合分再提高 0.20（达到 4.00） 2 家在营店铺 1 家优秀店铺 "
    assert "还需 " not in block

    block = text_of(detail(english(client), "p").split('<div class="next-tier">', 1)[1].split("</div>", 1)[0])
    assert block == (" To reach the next tier ★★★★ Four stars , the provider still needs: "
                     "0.20 more composite score points (to reach 4.00) 2 more active stores 1 more excellent store ")
    html = detail(english(client), "p")
    assert "Four stars</span></span>, the provider still needs:</p>" in html


def test_missing_services_item_names_the_services():
    explanation = {"next_tier": {"tier": 5, "missing": [
        {"name": "services", "missing": ["warehousing"], "text": "必备服务：warehousing",
         "text_en": "required services: warehousing"},
    ]}}

    with translation.override("zh-hans"):
        assert explanation_display(explanation, service_names={"warehousing": "仓储物流"})["next_tier"][
            "missing"] == ["必备服务：仓储物流"]
    with translation.override("en"):
        assert explanation_display(explanation, service_names={"warehousing": "Warehousing"})["next_tier"][
            "missing"] == ["Required services: Warehousing"]


# 4. Compare: best on the shown figures, readable gate cells --------------------------------------------------------


def compare_providers():
    """Three rated providers whose P reads 4.71, 4.71 and 4.60 (raw 4.7130, 4.7050 and 4.6000)."""
    gates = [
        {"tier": 5, "met": False, "checks": [
            {"name": "composite", "value": "4.66", "threshold": "4.50", "met": True},
            {"name": "active_stores", "value": 3, "threshold": 20, "met": False},
            {"name": "excellent_stores", "value": 5, "threshold": 5, "met": True},
            {"name": "services", "value": [], "threshold": ["warehousing"], "met": False, "missing": ["warehousing"]},
        ]},
        {"tier": 4, "met": True, "checks": [
            {"name": "composite", "value": "4.66", "threshold": "4.00", "met": True},
            {"name": "services", "value": [], "threshold": [], "met": True, "missing": []},
        ]},
    ]
    for slug, performance, score in (("a", "4.7130", "4.66"), ("b", "4.7050", "4.66"), ("c", "4.6000", "4.58")):
        provider = ProviderFactory(slug=slug, tier=4, score=D(score), rated_period=JUNE)
        ScoreSnapshotFactory(provider=provider, period=JUNE, performance_score=D(performance),
                             explanation={"gates": gates} if slug == "a" else {})


@pytest.mark.django_db
def test_compare_marks_best_on_the_values_as_shown_and_marks_ties(client):
    compare_providers()

    response = client.get(COMPARE_URL, {"p": "a,b,c"})

    rows = {row["key"]: row for row in response.context["rows"]}
    assert [c["text"] for c in rows["performance_score"]["cells"]] == ["4.71", "4.71", "4.60"]
    assert [c["best"] for c in rows["performance_score"]["cells"]] == [True, True, False]
    assert [c["best"] for c in rows["score"]["cells"]] == [True, True, False]
    html = response.content.decode()
    performance_row = html.split("compare-row--performance_score", 1)[1].split("</tr>", 1)[0]
    assert performance_row.count("最优") == 2


@pytest.mark.django_db
def test_compare_gate_cell_shows_each_figure_against_its_threshold(client):
    compare_providers()

    response = client.get(COMPARE_URL, {"p": "a,b,c"})

    rows = {row["key"]: row for row in response.context["rows"]}
    five = rows["gate_5"]["cells"]
    assert five[0]["met"] is False
    assert [(c["text"], c["met"]) for c in five[0]["checks"]] == [
        ("综合分 4.66 / 需 4.50", True), ("在营店铺 3 / 需 20", False), ("优秀店铺 5 / 需 5", True),
        ("必备服务：缺 仓储物流", False),
    ]
    assert [c["text"] for c in five[1:]] == ["—", "—"] and five[1]["met"] is None
    # A gate that requires no service gets no services line (no "—/—").
    assert [c["text"] for c in rows["gate_4"]["cells"][0]["checks"]] == ["综合分 4.66 / 需 4.00"]
    cell = response.content.decode().split("compare-row--gate_5", 1)[1].split("</td>", 1)[0]
    # Each line's ✓/✗ carries its words for screen readers (role="img": no absolutely placed text to overflow).
    assert ('<span role="img" aria-label="达标">✓</span> 综合分 4.66 / 需 4.50<br>'
            '<span role="img" aria-label="未达标">✗</span> 在营店铺 3 / 需 20<br>') in cell
    assert "必备服务：缺 仓储物流</span>" in cell
    assert "—/—" not in response.content.decode()


def test_gate_check_lines_in_english_name_present_and_missing_services():
    gate = {"checks": [
        {"name": "active_stores", "value": 12, "threshold": 20, "met": False},
        {"name": "services", "value": ["warehousing"], "threshold": ["warehousing"], "met": True, "missing": []},
    ]}
    with translation.override("en"):
        lines = gate_check_lines(gate, service_names={"warehousing": "Warehousing"})
    assert lines == [
        {"text": "Active stores 12 / needs 20", "met": False},
        {"text": "Required services: all present (Warehousing)", "met": True},
    ]


# 5. The review summary says what it counts -------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_summary_counts_scored_reviews_on_card_and_page(client):
    ProviderFactory(slug="p", tier=4, score=D("4.40"), review_average=D("4.80"), review_count=23)

    card = client.get(reverse("providers:list")).content.decode().split('id="provider-p"', 1)[1]
    assert "4.8 · 23 条计分评价</span>" in card
    page = detail(client, "p")
    assert "4.8 · 23 条计分评价</p>" in page
    assert "4.8 · 23 scored reviews</p>" in detail(english(client), "p")


@pytest.mark.django_db
def test_review_summary_singular_in_english(client):
    ProviderFactory(slug="p", tier=3, score=D("3.60"), review_average=D("5.00"), review_count=1)

    assert "5.0 · 1 scored review</p>" in detail(english(client), "p")
