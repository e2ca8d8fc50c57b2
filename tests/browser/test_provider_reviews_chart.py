"""The provider page in Chromium: review filters, the trend chart at 375 px, axe-core; screenshots in both languages.

Ratings come from the real engine over a year of data (the merchant journey's directory), one month left unrated.
"""
import datetime as dt

import pytest
from playwright.sync_api import expect

from ratings import scoring
from ratings.models import ScoreSnapshot
from tests.browser.axe import serious_violations
from tests.browser.test_merchant_journey import _rate_a_year
from tests.factories import ReviewFactory, StoreFactory, platform

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def xinghai(live_server):
    from django.utils import timezone

    today = timezone.localdate()
    _rate_a_year(today)
    from providers.models import Provider

    provider = Provider.objects.get(slug="xinghai")
    jd = StoreFactory(platform=platform("jd"))
    ReviewFactory(provider=provider, store=jd, rating=3, title="京东店的直播一般", body="直播场观没起来。",
                  created_at=today - dt.timedelta(days=5))
    # Three months ago nothing was reported: that month is recomputed without performance and left unrated.
    gap = scoring.add_months(scoring.month_start(today), -3)
    # (The engine reads a three-month window, so a month is unrated only after three silent ones: the snapshot
    # is written as the engine writes an unrated month.)
    ScoreSnapshot.objects.filter(provider=provider, period=gap).update(composite=None, tier=None)
    return f"{live_server.url}/providers/xinghai/"


def review_titles(page):
    return page.locator(".review__title").all_inner_texts()


def test_review_filters_narrow_the_list(page, xinghai, screenshot):
    page.goto(xinghai)
    expect(page.locator("#reviews-heading")).to_have_text("商家评价（13）")
    expect(page.locator(".distribution__row").first).to_contain_text("5 星")
    page.select_option("#review-platform", "jd")
    page.click(".review-filters button[type=submit]")
    assert review_titles(page) == ["京东店的直播一般"]
    expect(page.locator(".review-filters__count")).to_have_text("筛选出 1 条评价")

    page.goto(xinghai)
    page.select_option("#review-rating", "5")
    page.fill("#review-q", "合作体验1")
    page.click(".review-filters button[type=submit]")
    # Newest first: review n was written 29 + n days ago.
    assert review_titles(page) == ["星海电商的合作体验1", "星海电商的合作体验10", "星海电商的合作体验11",
                                   "星海电商的合作体验12"]
    screenshot("provider-reviews-filtered", target=page.locator("#reviews"))
    assert serious_violations(page) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_chart_is_readable_at_375_px(browser, xinghai, language):
    from tests.browser.conftest import SCREENSHOTS

    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": xinghai}])
    page = context.new_page()
    page.goto(xinghai)
    compact = page.locator(".trend__svg--compact")
    expect(compact).to_be_visible()
    expect(page.locator(".trend__svg--wide")).to_be_hidden()
    # Every label's size on screen: its font size in SVG units times the drawing's scale.
    smallest = compact.evaluate(
        """svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return Math.min(...[...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
        }"""
    )
    assert smallest >= 11
    # No data point overlaps a gate label.
    overlaps = compact.evaluate(
        """svg => {
            const boxes = [...svg.querySelectorAll('.trend__gate-label')].map(t => t.getBoundingClientRect());
            return [...svg.querySelectorAll('.trend__dot')].filter(dot => {
                const d = dot.getBoundingClientRect();
                return boxes.some(b => d.left < b.right && d.right > b.left && d.top < b.bottom && d.bottom > b.top);
            }).length;
        }"""
    )
    assert overlaps == 0
    assert compact.locator(".trend__gap").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".trend").screenshot(path=str(SCREENSHOTS / f"provider-chart-375-{language}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"provider-375-{language}.png"), full_page=True)
    assert serious_violations(page) == []
    context.close()
