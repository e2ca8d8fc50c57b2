"""axe-core on every page issue 16 names (home, directory, provider, compare, tiers, review form) and the portal's
pages, in both languages: no serious or critical violation."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Axe-pass-2026"


@pytest.fixture
def site(live_server):
    from ratings.services import ratings_recompute
    from tests.factories import EngagementFactory, StoreFactory, UserFactory, provider_staff, rated_provider

    provider = rated_provider(stores=3, score="4.60", slug="axe-one", name="无障碍电商", name_en="Axe Commerce")
    rated_provider(stores=2, score="4.20", slug="axe-two", name="第二电商", name_en="Second Commerce")
    ratings_recompute(as_of=timezone.localdate())
    owner = provider_staff(provider, username="axe_owner", role="owner")
    merchant = UserFactory(username="axe_merchant")
    store = StoreFactory()
    store.merchants.add(merchant)
    EngagementFactory(provider=provider, store=store, start_date=timezone.localdate() - dt.timedelta(days=90))
    for user in (owner, merchant):
        user.set_password(PASSWORD)
        user.save()
    return live_server.url


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=login]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_violation_on_the_merchant_and_portal_pages(page, site, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    problems = {}
    for path in ("/", "/providers/", "/providers/?q=电商&platform=tmall", "/providers/axe-one/",
                 "/compare/?p=axe-one,axe-two", "/tiers/"):
        assert page.goto(f"{site}{path}").status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    sign_in(page, site, "axe_merchant@example.com")
    for path in ("/providers/axe-one/reviews/new/", "/requests/new/?provider=axe-one", "/me/"):
        assert page.goto(f"{site}{path}").status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    sign_in(page, site, "axe_owner@example.com")
    for path in ("/portal/axe-one/", "/portal/axe-one/reviews/", "/portal/axe-one/team/", "/portal/axe-one/requests/"):
        assert page.goto(f"{site}{path}").status == 200, path
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
