"""The compare shortlist in Chromium: kept across pages and searches, a tray that is reachable on a phone, and
keyboard focus that never hides under it (WCAG 2.4.11), with and without JavaScript, in both languages."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from providers.models import ShortlistEntry
from tests.browser.axe import serious_violations
from tests.factories import ProviderFactory, ScoreSnapshotFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "shortlist-pass-2025"


@pytest.fixture
def directory(live_server):
    """45 listed providers (three directory pages): 服务商00 first, with tiers from 6★ down and a few untiered."""
    gates = {"gates": [{"tier": 6, "met": False, "checks": [
        {"name": "composite", "value": "4.66", "threshold": "4.70", "met": False}]}]}
    for index in range(45):
        provider = ProviderFactory(
            slug=f"p{index:02d}", name=f"服务商{index:02d}", name_en=f"Provider {index:02d}",
            tier=(6, 5, 4, 3)[min(index // 10, 3)] if index < 40 else None, score=Decimal("4.90") - Decimal(index) / 100,
            review_average=Decimal("4.60"), review_count=30 + index, verified=index % 3 == 0, at_risk=index == 1,
            platforms=["tmall"], services=["operation"], categories=["beauty"], city="杭州",
            fee_min=Decimal(8000 + 1000 * index), fee_max=Decimal(60000),
        )
        if index in (0, 25):
            snapshot = ScoreSnapshotFactory(provider=provider, explanation=gates)
            provider.rated_period = snapshot.period
            provider.save(update_fields=["rated_period"])
    return live_server.url


def viewport_shot(page, name):
    """What a phone shows (a full-page screenshot would hide where the sticky tray sits)."""
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def toggle(page, slug):
    return page.locator(f'.shortlist-toggle[value="{slug}"]')


def tray(page):
    return page.locator("#compare-tray")


def focus_clear_of_tray(page) -> dict:
    """The focused element's and the sticky tray's boxes on screen, two frames after the focus moved."""
    return page.evaluate("""() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
        const focused = document.activeElement.getBoundingClientRect();
        const tray = document.getElementById('compare-tray');
        const box = tray.getBoundingClientRect();
        done({top: focused.top, bottom: focused.bottom, trayTop: box.top, trayBottom: box.bottom,
              height: innerHeight, inTray: tray.contains(document.activeElement), tag: document.activeElement.tagName});
    })))""")


def test_shortlist_survives_paging_searching_and_coming_back(page, directory, screenshot):
    page.goto(f"{directory}/providers/")
    expect(tray(page)).to_contain_text("已选 0/4")
    toggle(page, "p00").click()
    expect(tray(page)).to_contain_text("已选 1/4")
    expect(toggle(page, "p00")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#compare-tray .compare-tray__status")).to_have_text("已加入对比。")
    expect(page.locator("[data-shortlist-count] .nav-count__number")).to_have_text("1")

    page.get_by_role("link", name="下一页").first.click()
    expect(page).to_have_url(re.compile(r"page=2"))
    toggle(page, "p25").click()
    items = tray(page).locator(".compare-tray__item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("服务商00")
    expect(items.nth(1)).to_contain_text("服务商25")

    page.goto(f"{directory}/providers/?q=服务商4")
    toggle(page, "p41").click()  # an untiered one, on a search
    expect(tray(page)).to_contain_text("已选 3/4")
    viewport_shot(page, "shortlist-01-search-tray")

    # Coming back later (a new page load, a different listing): the same three, their cards ticked.
    page.goto(f"{directory}/providers/?page=3")
    expect(tray(page).locator(".compare-tray__item")).to_have_count(3)
    expect(toggle(page, "p41")).to_have_attribute("aria-pressed", "true")
    expect(toggle(page, "p42")).to_have_attribute("aria-pressed", "false")

    # Pressing a ticked card's button takes it off again.
    toggle(page, "p41").click()
    expect(tray(page)).to_contain_text("已选 2/4")
    expect(toggle(page, "p41")).to_have_attribute("aria-pressed", "false")

    tray(page).get_by_role("link", name="开始对比").click()
    expect(page).to_have_url(f"{directory}/compare/?p=p00%2Cp25")
    fee_cells = page.locator("tr.compare-row--fee td")
    expect(fee_cells.first.locator(".best-mark")).to_have_text("最低")
    expect(page.locator("tr.compare-row--fee .is-best")).to_have_count(0)
    rows = page.locator(".compare-table tbody tr").evaluate_all("rows => rows.map(row => row.className)")
    gate = next(i for i, name in enumerate(rows) if "gate_" in name)
    for key in ("fee", "services", "platforms", "categories"):
        assert rows.index(f"compare-row compare-row--{key}") < gate, key
    viewport_shot(page, "shortlist-02-compare")


def test_shortlist_works_without_javascript_and_follows_the_account(browser, directory, screenshot):
    user = UserFactory(username="shortlister", password=PASSWORD)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{directory}/providers/?page=2")
    page.locator('.shortlist-toggle[value="p21"]').click()
    expect(page).to_have_url(f"{directory}/providers/?page=2#provider-p21")
    expect(page.locator(".messages")).to_contain_text("已加入对比。")
    expect(page.locator("#compare-tray .compare-tray__item")).to_have_count(1)
    expect(page.locator("#compare-tray .compare-tray__item")).to_contain_text("服务商21")

    # Signing in keeps it, and saves it to the account.
    page.goto(f"{directory}/accounts/login/?next=/providers/")
    page.locator("input[name=login]").fill("shortlister@example.com")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#compare-tray .compare-tray__item")).to_have_count(1)
    assert list(ShortlistEntry.objects.filter(user=user).values_list("provider__slug", flat=True)) == ["p21"]
    page.get_by_role("button", name="移出对比 服务商21").click()
    expect(page.locator("#compare-tray")).to_contain_text("已选 0/4")
    assert not ShortlistEntry.objects.filter(user=user).exists()
    context.close()


def test_tray_is_reachable_on_a_phone_and_never_covers_focus(page, directory, screenshot):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{directory}/providers/")
    for slug in ("p00", "p03", "p05"):
        toggle(page, slug).click()
        expect(toggle(page, slug)).to_have_attribute("aria-pressed", "true")
    page.goto(f"{directory}/providers/")  # a fresh page, as after scrolling or coming back

    # The tray sits at the bottom of the screen from the top of the page, without scrolling past the cards.
    box = tray(page).bounding_box()
    assert box["y"] + box["height"] <= 740 + 1 and box["y"] > 740 - 200, box
    expect(tray(page).get_by_role("link", name="开始对比")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    viewport_shot(page, "shortlist-03-phone-tray")

    # Tab through the page: whatever has focus is never under the tray.
    checked = 0
    for _ in range(90):
        page.keyboard.press("Tab")
        state = focus_clear_of_tray(page)
        if state["inTray"] or state["tag"] == "BODY":
            continue
        if state["bottom"] > 0 and state["top"] < state["height"]:
            # Not under the tray: wholly above it, or (past the end of the list, where the tray rests in the
            # page) below it.
            assert state["bottom"] <= state["trayTop"] + 0.5 or state["top"] >= state["trayBottom"] - 0.5, state
            checked += 1
    assert checked > 40
    viewport_shot(page, "shortlist-04-phone-focus")

    # The × in the tray removes in place and focus moves to the next one.
    tray(page).get_by_role("button", name="移出对比 服务商00").click()
    expect(tray(page)).to_contain_text("已选 2/4")
    assert page.evaluate("document.activeElement.getAttribute('value')") == "p03"


def test_tray_and_compare_in_english_and_without_serious_axe_violations(page, directory, screenshot):
    page.goto(f"{directory}/providers/")
    toggle(page, "p00").click()
    toggle(page, "p11").click()
    expect(tray(page)).to_contain_text("已选 2/4")
    assert serious_violations(page) == []
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(tray(page)).to_contain_text("Comparison list")
    expect(tray(page)).to_contain_text("2/4 selected")
    # The marks explain themselves on tap.
    risk = page.locator('#provider-p01 summary.mark--risk')
    risk.click()
    expect(page.locator("#provider-p01 .mark-info__text").first).to_be_visible()
    viewport_shot(page, "shortlist-05-directory-en")
    assert serious_violations(page) == []
    tray(page).get_by_role("link", name="Compare").click()
    expect(page.locator("tr.compare-row--fee .best-mark")).to_have_text("lowest")
    viewport_shot(page, "shortlist-06-compare-en")
    assert serious_violations(page) == []
    page.goto(f"{directory}/")
    screenshot("shortlist-07-home-en")
    page.goto(f"{directory}/tiers/#marks")
    expect(page.get_by_role("heading", name="The figures and marks on these pages")).to_be_visible()
    screenshot("shortlist-08-tiers-marks-en")
