"""What the public sees: dated credential badges (expired at read time), published cases, exact added queries."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from profiles import services
from profiles.models import Case, PlatformCredential
from providers.models import Category, Platform
from tests.factories import (
    EngagementFactory,
    StoreFactory,
    StorePerformanceFactory,
    merchant_of,
)

from .conftest import membership_of, png


@pytest.fixture
def today(monkeypatch):
    day = dt.date(2026, 1, 10)
    monkeypatch.setattr(timezone, "localdate", lambda *args: day)
    return day


def add_credential(provider, *, status="verified", level="五星", start=dt.date(2025, 10, 1), end=dt.date(2025, 12, 31)):
    return PlatformCredential.objects.create(
        provider=provider, platform=Platform.objects.get(code="tmall"), kind="tmall_star", level=level,
        period_start=start, period_end=end, status=status)


def add_case(provider, manager, grader=None, **kwargs):
    data = {"title": "美妆店铺三个月翻倍", "platform": Platform.objects.get(code="tmall"),
            "category": Category.objects.get(code="beauty"), "period_start": dt.date(2025, 1, 1),
            "period_end": dt.date(2025, 3, 1), "work_done": "重做详情页", "result": "成交额翻倍，联系 13812345678",
            **kwargs}
    case = services.case_submit(membership=membership_of(manager, provider), **data)
    if grader is not None:
        services.case_decide(case=case, action="publish", actor=grader)
    return case


def page(client, slug="xinghai"):
    return client.get(reverse("providers:detail", kwargs={"slug": slug})).content.decode()


def test_badges_are_dated_with_their_source_and_expire_at_read_time(client, provider, today):
    add_credential(provider, level="五星", end=dt.date(2026, 3, 31), start=dt.date(2026, 1, 1))
    add_credential(provider, level="四星", start=dt.date(2025, 7, 1), end=dt.date(2025, 9, 30))
    add_credential(provider, level="六星", status="pending")

    html = page(client)

    assert "天猫五星 · 2026Q1 · 已核验" in html
    assert "天猫四星 · 2025Q3 · 已过期" in html
    assert "六星" not in html
    assert 'class="credential credential--expired"' in html
    assert "天猫星级服务商" in html  # the source, apart from our stars


def test_cards_and_compare_show_the_badges(client, provider, today):
    add_credential(provider, end=dt.date(2026, 3, 31), start=dt.date(2026, 1, 1))
    assert "天猫五星 · 2026Q1 · 已核验" in client.get(reverse("providers:list")).content.decode()
    compare = client.get(reverse("providers:compare"), {"p": "xinghai"}).content.decode()
    assert "天猫五星 · 2026Q1 · 已核验" in compare


def test_only_published_cases_show_masked_and_anonymous(client, provider, manager, grader):
    add_case(provider, manager, title="待审核的案例")
    add_case(provider, manager, grader, title="已发布的案例")

    html = page(client)

    assert "已发布的案例" in html and "待审核的案例" not in html
    assert "某美妆个护品牌天猫店铺" in html
    assert "13812345678" not in html and "重做详情页" in html


def test_a_case_title_is_masked_like_its_text(client, provider, manager, grader):
    add_case(provider, manager, grader, title="美妆店铺翻新 联系 13812345678")

    html = page(client)

    assert "美妆店铺翻新 联系 138********" in html and "13812345678" not in html


def test_a_claimed_store_is_named_only_after_its_merchant_agrees(client, provider, manager, grader):
    store = StoreFactory(name="花漾美妆旗舰店")
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 6, 1))
    merchant = merchant_of(store)
    case = add_case(provider, manager, grader, store=store)

    assert "花漾美妆旗舰店" not in page(client) and "某美妆个护品牌天猫店铺" in page(client)

    services.case_naming_decide(case=case, user=merchant, approve=True)
    assert "花漾美妆旗舰店" in page(client)

    services.case_naming_decide(case=case, user=merchant, approve=False)
    assert "花漾美妆旗舰店" not in page(client)


def test_a_linked_case_shows_the_stores_verified_figures_for_its_months(client, provider, manager, grader):
    store = StoreFactory()
    EngagementFactory(provider=provider, store=store, start_date=dt.date(2024, 6, 1))
    for month, product in ((1, "4.60"), (2, "4.80"), (4, "1.00")):  # April is outside the case's months
        StorePerformanceFactory(store=store, period=dt.date(2025, month, 1), product_score=Decimal(product))
    add_case(provider, manager, grader, store=store)

    html = page(client)

    assert "该店铺同期 2 个月的平均值" in html
    assert "<dt>商品体验分</dt><dd>4.70</dd>" in html


def queries_of(client):
    with CaptureQueriesContext(connection) as captured:
        page(client)
    return len(captured.captured_queries)


def test_the_provider_page_costs_two_more_queries_three_with_a_linked_case(client, provider, manager, grader):
    baseline = queries_of(client)  # no credentials, no cases: the showcase still asks twice
    for level in ("四星", "五星", "六星"):
        add_credential(provider, level=level)
    for _ in range(3):
        add_case(provider, manager, grader)
    assert queries_of(client) == baseline

    store = StoreFactory()
    EngagementFactory(provider=provider, store=store)
    add_case(provider, manager, grader, store=store)
    assert queries_of(client) == baseline + 1


def test_publishing_a_case_refreshes_the_cached_page(client, provider, manager, grader, settings,
                                                     django_capture_on_commit_callbacks):
    settings.DIRECTORY_CACHE_SECONDS = 600
    case = add_case(provider, manager)
    assert "美妆店铺三个月翻倍" not in page(client)
    assert "美妆店铺三个月翻倍" not in page(client)  # served from the cache

    with django_capture_on_commit_callbacks(execute=True):
        services.case_decide(case=case, action="publish", actor=grader)

    assert "美妆店铺三个月翻倍" in page(client)
    assert Case.objects.get().status == "published"


def test_the_team_page_names_the_evidence_and_the_state(client, provider, manager, today):
    client.force_login(manager)
    client.post(reverse("profiles:credentials", kwargs={"slug": "xinghai"}), {
        "platform": Platform.objects.get(code="tmall").pk, "kind": "tmall_star", "level": "五星",
        "period_start": "2025-10-01", "period_end": "2025-12-31", "evidence": png()})
    html = client.get(reverse("profiles:credentials", kwargs={"slug": "xinghai"})).content.decode()
    assert "天猫星级服务商 · 天猫五星" in html and "待核验" in html


def test_the_directory_filters_on_verified_credentials_still_in_their_period(client, today, db):
    from providers.models import Provider
    from tests.factories import ProviderFactory

    current = ProviderFactory(slug="current", name="有效资质")
    expired = ProviderFactory(slug="expired", name="过期资质")
    pending = ProviderFactory(slug="pending", name="待核验资质")
    ProviderFactory(slug="none", name="无资质")
    add_credential(current, end=dt.date(2026, 3, 31))
    add_credential(current, level="四星", end=dt.date(2026, 6, 30))  # two credentials: listed once
    add_credential(expired, end=dt.date(2026, 1, 9))
    add_credential(pending, status="pending", end=dt.date(2026, 3, 31))

    listed = client.get(reverse("providers:list"), {"credentialed": "on"}).context["page"].object_list
    assert [p.slug for p in listed] == ["current"]
    everyone = client.get(reverse("providers:list")).context["page"].object_list
    assert sorted(p.slug for p in everyone) == sorted(Provider.objects.values_list("slug", flat=True))
