"""The directory's search and filters in Chromium: several words, a one-character term, multi-select filters
applied on change, removable chips, and the phone layout (375 px) with the first result in view."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.factories import ProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 667}


@pytest.fixture
def directory(settings):
    settings.DIRECTORY_CACHE_SECONDS = 0
    rows = [
        ("xihu", "西湖美妆运营", "Xihu Beauty Ops", "杭州", ["tmall"], ["beauty"], 5, "4.50"),
        ("haibin", "海滨电商", "Haibin Commerce", "杭州", ["jd", "douyin"], ["apparel"], 4, "4.20"),
        ("nanfeng", "南风品牌", "Nanfeng Brands", "广州", ["tmall", "douyin"], ["beauty"], 3, "3.80"),
        ("beifang", "北方数码", "Beifang Digital", "北京", ["jd"], ["electronics"], None, None),
    ]
    for slug, name, name_en, city, platforms, categories, tier, score in rows:
        ProviderFactory(
            slug=slug, name=name, name_en=name_en, city=city, platforms=platforms, categories=categories,
            services=["operation"], tier=tier, score=Decimal(score) if score else None,
            description=f"{name}，总部位于{city}。", description_en=f"{name_en}, based in {city}.",
        )


def card_names(page) -> list[str]:
    return page.locator(".provider-card__name").all_inner_texts()


def english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_several_words_in_any_order_find_exactly_the_provider_and_are_marked(page, live_server, directory,
                                                                             screenshot, language):
    if language == "en":
        english(page, live_server)
    page.goto(f"{live_server.url}/providers/")
    page.fill("#id_q", "美妆 杭州")
    page.press("#id_q", "Enter")

    expect(page.locator(".provider-card")).to_have_count(1)
    name = "西湖美妆运营" if language == "zh" else "Xihu Beauty Ops"
    assert card_names(page) == [name]
    expect(page.locator(".provider-card mark").first).to_be_visible()
    screenshot(f"directory-search-two-words-{language}")


def test_a_one_character_chinese_term_works(page, live_server, directory):
    page.goto(f"{live_server.url}/providers/?q=美")

    # 南风品牌 is in 美妆个护 (its category); 西湖美妆运营 has the word in its name, so it comes first.
    assert card_names(page) == ["西湖美妆运营", "南风品牌"]
    page.fill("#id_q", "州")
    page.press("#id_q", "Enter")
    assert card_names(page) == ["西湖美妆运营", "海滨电商", "南风品牌"]  # 杭州, 广州: tier order among equals


def test_multi_select_filters_apply_on_change_and_chips_remove_one_value(page, live_server, directory, screenshot):
    page.goto(f"{live_server.url}/providers/")

    with page.expect_navigation():
        page.get_by_role("checkbox", name="天猫").check()
    assert card_names(page) == ["西湖美妆运营", "南风品牌"]
    with page.expect_navigation():
        page.get_by_role("checkbox", name="京东").check()
    assert "platform=tmall" in page.url and "platform=jd" in page.url
    assert card_names(page) == ["西湖美妆运营", "海滨电商", "南风品牌", "北方数码"]  # OR within the group
    with page.expect_navigation():
        page.get_by_role("checkbox", name="美妆个护").check()
    assert card_names(page) == ["西湖美妆运营", "南风品牌"]  # AND across groups
    expect(page.locator(".chip")).to_have_count(3)
    screenshot("directory-filters-chips-zh")

    page.get_by_role("link", name="移除筛选条件 平台：天猫").click()
    expect(page.locator(".chip")).to_have_count(2)
    assert "platform=tmall" not in page.url
    assert card_names(page) == []  # 京东 and 美妆个护: nobody
    expect(page.get_by_text("没有符合条件的服务商")).to_be_visible()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_on_a_phone_the_panel_is_folded_and_the_first_result_is_in_view(browser, live_server, directory, language):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/providers/?platform=tmall")

    panel = page.locator("#filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    first = page.locator(".provider-card").first
    box = first.bounding_box()
    # The card's name (its first 60 px) is on the first screen, without scrolling.
    assert box["y"] + 60 <= PHONE["height"], box
    expect(page.locator(".chip")).to_have_count(1)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"directory-phone-{language}.png"))  # the first screen only

    page.locator(".filter-panel__toggle").click()
    expect(panel).to_have_attribute("open", "")
    expect(page.locator("#id_min_tier")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"directory-phone-panel-open-{language}.png"), full_page=True)
    context.close()


def test_on_a_wide_screen_the_panel_is_open_without_its_toggle(page, live_server, directory):
    page.goto(f"{live_server.url}/providers/")

    expect(page.locator("#filter-panel")).to_have_attribute("open", "")
    expect(page.locator(".filter-panel__toggle")).to_be_hidden()
    expect(page.get_by_role("checkbox", name="天猫")).to_be_visible()
