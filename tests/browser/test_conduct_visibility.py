"""In Chromium and over HTTP: a partner pushes a 24-point violation decided today; the same day the provider leaves
the directory, search, the home page and the API list, while its page stays reachable by link and says why; the
daily job keeps it hidden through the window's last day and brings it back the day after.

The days come from the policy's rule (X … X+hidden_days-1, never past 31 December), so the test holds on any date;
the daily job is run as of those days (the ledger is a pure function of the day, so a later `on` is legitimate).
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TARGET, NEIGHBOUR = "云帆电商运营", "青禾电商运营"


@pytest.fixture
def directory(live_server):
    """Two rated providers on Tmall, both listed; the partner keys of a reader and of a data pipeline."""
    from tests.factories import ProviderFactory, api_key

    for slug, name, tier, score in (("yunfan", TARGET, 5, "4.50"), ("qinghe", NEIGHBOUR, 4, "4.10")):
        ProviderFactory(slug=slug, name=name, tier=tier, score=Decimal(score), platforms=["tmall"],
                        categories=["beauty"], services=["operation"])
    _key, read = api_key(scopes=["read"], name="只读合作方")
    _key, ingest = api_key(scopes=["ingest"], name="数据合作方")
    return {"url": live_server.url, "read": f"Api-Key {read}", "ingest": f"Api-Key {ingest}"}


def card_names(page, path: str) -> list[str]:
    page.goto(path)
    return page.locator(".provider-card__name").all_inner_texts()


def home_names(page, base: str) -> set[str]:
    """Names on the home page's top lists (by tier and by platform)."""
    page.goto(f"{base}/")
    return set(page.locator(".top-list li > a").all_inner_texts())


def api_slugs(page, directory) -> list[str]:
    response = page.request.get(f"{directory['url']}/api/v1/providers/",
                                headers={"Authorization": directory["read"]})
    assert response.status == 200
    return [row["slug"] for row in response.json()["results"]]


def seen(page, directory) -> dict:
    """Where the providers show: the directory, a search, the home page and the partners' API list."""
    base = directory["url"]
    return {
        "directory": card_names(page, f"{base}/providers/"),
        "search": card_names(page, f"{base}/providers/?q=电商运营"),
        "home": home_names(page, base),
        "api": api_slugs(page, directory),
    }


def listed(*names: str) -> dict:
    slugs = {TARGET: "yunfan", NEIGHBOUR: "qinghe"}
    return {"directory": list(names), "search": list(names), "home": set(names), "api": [slugs[n] for n in names]}


def test_a_provider_pushed_over_24_points_is_hidden_the_same_day_and_back_on_day_31(page, directory, screenshot):
    from conduct import selectors, services
    from providers.models import Provider

    policy = selectors.policy_active()
    decided = timezone.localdate()
    # The policy's rule, written out: hidden X … X+hidden_days-1, never past 31 December; listed again the day after.
    last_hidden = min(decided + dt.timedelta(days=policy.hidden_days - 1), dt.date(decided.year, 12, 31))
    back_on = last_hidden + dt.timedelta(days=1)
    # Back in the same year the 24 points still warn; on 1 January they have reset.
    back_as = "warning" if back_on.year == decided.year else "none"
    assert (policy.points_for("store_access"), policy.hidden_at, policy.hidden_days) == (24, 24, 30)

    base = directory["url"]
    assert seen(page, directory) == listed(TARGET, NEIGHBOUR)

    pushed = page.request.post(f"{base}/api/v1/violations/", headers={"Authorization": directory["ingest"]}, data={
        "rows": [{"provider_slug": "yunfan", "type": "store_access", "occurred_on": decided.isoformat(),
                  "decided_on": decided.isoformat(), "reference": "TM-2291", "status": "upheld"}]})
    assert (pushed.status, pushed.json()) == (200, {"created": 1, "updated": 0, "unchanged": 0, "dry_run": False})
    assert Provider.objects.values_list("sanction", "sanction_points").get(slug="yunfan") == ("hidden", 24)

    # The same day: gone from every list (the directory's cached pages moved on at the push's commit).
    assert seen(page, directory) == listed(NEIGHBOUR)

    # Its page stays reachable by link and says why.
    page.goto(f"{base}/providers/yunfan/")
    expect(page.get_by_role("heading", name=TARGET, level=1)).to_be_visible()
    box = page.locator("#conduct")
    expect(box.locator(".mark--risk")).to_have_text("服务隐藏")
    expect(box).to_contain_text("本年违规积分 24 分")
    expect(box).to_contain_text(
        f"本年积分达到 24 分：至 {last_hidden:%Y-%m-%d} 不在目录列表、搜索和推荐中显示，本页仍可通过链接访问。")
    expect(box.locator("tbody tr")).to_have_count(1)
    expect(box.locator("tbody tr td")).to_have_text(
        ["合作结束后未按期交还店铺权限或数据", decided.strftime("%Y-%m-%d"), "24", "—"])
    screenshot("conduct-visibility-01-hidden-provider-page")

    # The daily job as of the window's last day: nothing changes, still hidden.
    assert services.sanctions_apply(on=last_hidden) == []
    assert seen(page, directory) == listed(NEIGHBOUR)

    # The day after (day 31, or 1 January when the window stopped at 31 December): back on every list.
    events = services.sanctions_apply(on=back_on)
    assert [(event.provider.slug, event.from_value, event.to_value) for event in events] == [
        ("yunfan", "hidden", back_as)]
    assert seen(page, directory) == listed(TARGET, NEIGHBOUR)
    page.goto(f"{base}/providers/")
    card = page.locator(".provider-card", has_text=TARGET)
    expect(card.locator(".mark--risk", has_text="服务警告")).to_have_count(1 if back_as == "warning" else 0)
    screenshot("conduct-visibility-02-directory-back")
