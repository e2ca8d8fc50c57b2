"""The moderation queue fits its container at 1280 px (issue #16 item 9): no cell cut off behind a scrollbar."""
import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "queue-pass-2025"


@pytest.fixture
def queue(live_server):
    from providers.models import Engagement
    from ratings.models import Review
    from tests.factories import ProviderFactory, ReviewFactory, StoreFactory, UserFactory

    for i in range(6):
        provider = ProviderFactory(slug=f"queue-{i}", name=f"天津银河品牌管理{i}号")
        store = StoreFactory()
        Engagement.objects.create(provider=provider, store=store, start_date=dt.date(2025, 1, 13))
        ReviewFactory(provider=provider, store=store, status=Review.Status.PENDING, rating=3,
                      title="沟通还行，效果待提升", created_at=dt.date(2025, 6, 1) + dt.timedelta(days=i))
    UserFactory(username="queue_admin", password=PASSWORD, is_staff=True, is_superuser=True)
    return live_server.url


def test_moderation_queue_fits_its_container_at_1280_px(page, queue, screenshot):
    page.goto(f"{queue}/admin/login/?next=/admin/ratings/reviewqueue/")
    page.locator("input[name=username]").fill("queue_admin")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(6)

    widths = page.evaluate("""() => ({
        results: document.querySelector('#changelist .results').clientWidth,
        table: document.querySelector('#result_list').scrollWidth,
        page: document.documentElement.scrollWidth,
    })""")
    screenshot("admin-moderation-queue-1280")

    assert widths["table"] <= widths["results"], widths
    assert widths["page"] == 1280
    expect(page.locator("#result_list td.field-store_engagement").first).to_have_text("未验证2025-01-13 – 至今")
