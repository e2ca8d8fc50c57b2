"""After switching language the directory's city box shows the city in that language (issue #16 item 9)."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def directory(live_server):
    from tests.factories import ProviderFactory

    ProviderFactory(slug="xihu", name="西湖电商", name_en="Xihu E-commerce", city="杭州")
    ProviderFactory(slug="pujiang", name="浦江品牌", name_en="Pujiang Brands", city="上海")
    return live_server.url


def test_city_box_follows_the_language_switch(page, directory, screenshot):
    page.goto(f"{directory}/providers/?city=杭州")
    city = page.locator("input[name=city]")
    expect(city).to_have_value("杭州")

    page.locator("#lang-select").select_option("en")
    page.locator(".lang-switch button[type=submit]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(city).to_have_value("Hangzhou")
    expect(page.get_by_role("link", name="Xihu E-commerce")).to_be_visible()
    expect(page.get_by_role("link", name="Pujiang Brands")).to_have_count(0)
    screenshot("directory-city-after-switch-en")

    page.locator("#lang-select").select_option("zh-hans")
    page.locator(".lang-switch button[type=submit]").click()
    expect(city).to_have_value("杭州")
