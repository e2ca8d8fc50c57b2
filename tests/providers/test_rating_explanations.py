"""How a rating reads: the star badge partial (ratings/_stars.html), below three stars on cards and the provider page,
R's arithmetic and the next tier's list on the provider page, and what the review count counts."""
import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ratings import scoring
from ratings.scoring import Facts, Gate, Policy
from tests.factories import ProviderFactory, ScoreSnapshotFactory

JUNE = dt.date(2025, 6, 1)


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


@pytest.mark.parametrize(("tier", "stars", "label"), [(3, 3, "三星"), (4, 4, "四星"), (5, 5, "五星"), (6, 6, "六星")])
def test_star_badge_renders_the_tier(tier, stars, label):
    html = render_to_string("ratings/_stars.html", {"tier": tier})

    assert "★" * stars in html and "★" * (stars + 1) not in html
    assert label in html
    assert f"stars--{tier}" in html


@pytest.mark.parametrize("tier", [None, "", 0, 7])
def test_star_badge_without_a_valid_tier_says_not_rated(tier):
    html = render_to_string("ratings/_stars.html", {"tier": tier})

    assert "暂无星级" in html
    assert "★" not in html


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


# 2. R can be followed by hand --------------------------------------------------------------------------------------


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


# 4. The review summary says what it counts --------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_summary_counts_scored_reviews_on_card_and_page(client):
    ProviderFactory(slug="p", tier=4, score=D("4.40"), review_average=D("4.80"), review_count=23)

    card = client.get(reverse("providers:list")).content.decode().split('id="provider-p"', 1)[1]
    assert "均分 4.8 · 23 条计分评价</span></span>" in card
    page = detail(client, "p")
    assert "均分 4.8 · 23 条计分评价</span></p>" in page
    assert "Average 4.8 · 23 scored reviews</span></p>" in detail(english(client), "p")


@pytest.mark.django_db
def test_review_summary_singular_in_english(client):
    ProviderFactory(slug="p", tier=3, score=D("3.60"), review_average=D("5.00"), review_count=1)

    assert "Average 5.0 · 1 scored review</span></p>" in detail(english(client), "p")
