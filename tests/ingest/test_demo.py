import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ingest import demo
from providers.models import Engagement, Provider, Store
from ratings.models import Review, ScoreSnapshot, StorePerformance
from ratings.services import reviews_refresh_verification

TODAY = dt.date(2026, 3, 15)
SIX_STAR_SERVICES = {"warehousing", "distribution", "cross_border", "multilingual"}


def seed(providers, *, seed=7, **options):
    out = StringIO()
    call_command("seed_demo", providers=providers, seed=seed, no_ratings=True, stdout=out, **options)
    return out.getvalue()


def wipe():
    Provider.objects.all().delete()
    Store.objects.all().delete()


def fingerprint() -> str:
    """A digest of what a seed decides: names, fees, services, stores, engagements, reviews and performance."""
    parts = [
        list(Provider.objects.order_by("slug").values_list(
            "slug", "name", "name_en", "city", "founded_year", "size_band", "fee_min", "fee_max",
            "international_brands", "warehouse_area_m2", "verified", "description", "description_en",
        )),
        sorted(Provider.services.through.objects.values_list("provider__slug", "service__code")),
        sorted(Provider.platforms.through.objects.values_list("provider__slug", "platform__code")),
        list(Store.objects.order_by("platform__code", "external_id").values_list(
            "platform__code", "external_id", "name", "category__code",
        )),
        sorted(Engagement.objects.values_list("provider__slug", "store__external_id", "start_date", "end_date")),
        sorted(Review.objects.values_list(
            "provider__slug", "store__external_id", "created_at", "rating", "effect", "status", "verified", "title",
            "body", "reply",
        )),
        sorted(StorePerformance.objects.values_list(
            "store__external_id", "period", "product_score", "logistics_score", "service_score", "gmv", "orders",
        )),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@pytest.mark.django_db
def test_same_seed_gives_identical_data():
    demo.demo_seed(providers=20, seed=11, today=TODAY)
    first = fingerprint()
    wipe()
    demo.demo_seed(providers=20, seed=11, today=TODAY)
    assert fingerprint() == first


@pytest.mark.django_db
def test_different_seed_gives_different_data():
    demo.demo_seed(providers=20, seed=11, today=TODAY)
    first = fingerprint()
    wipe()
    demo.demo_seed(providers=20, seed=12, today=TODAY)
    assert fingerprint() != first


@pytest.mark.django_db
def test_small_run_writes_the_promised_counts():
    output = seed(20)

    stores = Store.objects.count()
    assert Provider.objects.count() == 20
    assert Review.objects.count() == 20 * demo.REVIEWS_PER_PROVIDER
    # One engagement per store, and a row per store for each of the last 12 months.
    assert Engagement.objects.count() == stores
    assert StorePerformance.objects.count() == stores * demo.PERFORMANCE_MONTHS
    assert StorePerformance.objects.order_by().values("period").distinct().count() == demo.PERFORMANCE_MONTHS
    assert not Provider.objects.annotate(n=Count("engagements")).filter(n=0).exists()
    assert "reviews: 1,000 rows" in output


@pytest.mark.django_db
def test_generated_verified_flags_agree_with_the_verification_rule():
    output = seed(20)

    assert "verification: 0 review flags changed" in output
    assert reviews_refresh_verification() == 0


@pytest.mark.django_db
def test_rows_satisfy_the_models_and_the_design():
    seed(40)

    for provider in Provider.objects.prefetch_related("platforms", "categories", "services"):
        provider.full_clean()
        services = {s.code for s in provider.services.all()}
        assert "operation" in services
        assert 1 <= provider.platforms.count() <= 3
        assert 1 <= provider.categories.count() <= 3
        assert 2005 <= provider.founded_year <= 2022
        if provider.fee_min is not None:
            assert 8000 <= provider.fee_min <= provider.fee_max <= 80000
            assert provider.fee_min % 1000 == 0 and provider.fee_max % 1000 == 0
        if "warehousing" in services:
            assert 1000 <= provider.warehouse_area_m2 <= 50000
        else:
            assert provider.warehouse_area_m2 == 0
    for store in Store.objects.all()[:200]:
        store.full_clean()
        # Every store runs on one of its provider's platforms.
        engagement = store.engagements.get()
        assert engagement.provider.platforms.filter(pk=store.platform_id).exists()
    for review in list(Review.objects.order_by("pk"))[::20]:
        review.full_clean()
    for row in list(StorePerformance.objects.order_by("pk"))[::20]:
        row.full_clean()

    today = timezone.localdate()
    assert not Engagement.objects.filter(end_date__gte=today).exists()
    assert not Engagement.objects.filter(start_date__gt=today - dt.timedelta(days=364)).exists()
    assert not Review.objects.filter(created_at__gt=today).exists()
    assert not Review.objects.filter(replied_at__isnull=False, reply="").exists()
    assert set(Review.objects.values_list("status", flat=True)) == {"published", "pending", "rejected", "malicious"}
    unverified = Review.objects.filter(verified=False).count() / Review.objects.count()
    assert 0.03 < unverified < 0.15
    with_dimensions = Review.objects.filter(effect__isnull=False).count() / Review.objects.count()
    assert 0.6 < with_dimensions < 0.8


@pytest.mark.django_db
def test_if_empty_second_run_writes_nothing():
    seed(10, if_empty=True)
    counts = (Provider.objects.count(), Store.objects.count(), Review.objects.count())

    output = seed(10, if_empty=True, seed=99)

    assert "already has 10 providers" in output
    assert (Provider.objects.count(), Store.objects.count(), Review.objects.count()) == counts


@pytest.mark.django_db
def test_non_empty_database_is_refused_without_if_empty():
    seed(5)
    with pytest.raises(CommandError, match="already has 5 providers"):
        seed(5)


@pytest.mark.django_db
def test_hundred_providers_include_all_six_star_services_and_a_store_pyramid():
    seed(100)

    through = Provider.services.through.objects.filter(service__code__in=SIX_STAR_SERVICES)
    complete = through.values("provider").annotate(n=Count("service")).filter(n=len(SIX_STAR_SERVICES))
    assert complete.exists()
    per_provider = sorted(Provider.objects.annotate(n=Count("engagements")).values_list("n", flat=True))
    assert per_provider[0] >= 1 and per_provider[-1] >= 50
    assert 6 <= sum(per_provider) / len(per_provider) <= 12  # planned towards tiers: ~8 stores per provider
    # Shop names end the way platform shops do (旗舰店, 专营店, 企业店, 抖音小店, …).
    assert Store.objects.filter(name__endswith="店").count() == Store.objects.count()


@pytest.mark.django_db
def test_query_count_does_not_grow_with_providers():
    with CaptureQueriesContext(connection) as small:
        seed(10)
    wipe()
    with CaptureQueriesContext(connection) as large:
        seed(40)

    def split(queries):
        inserts = [q for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
        return len(queries) - len(inserts), len(inserts)

    (small_other, small_inserts), (large_other, large_inserts) = split(small), split(large)
    assert large_other == small_other
    # Only bulk-insert batches may add up (SQLite caps a statement at 999 parameters: ~250 stores a statement, and
    # 40 providers have ~300 stores more than 10); never a query per row.
    assert large_inserts <= small_inserts + 8
    assert Review.objects.count() == 40 * demo.REVIEWS_PER_PROVIDER


@pytest.mark.django_db
def test_seed_with_ratings_computes_each_month():
    out = StringIO()
    call_command("seed_demo", providers=15, seed=5, months=3, stdout=out)

    periods = list(ScoreSnapshot.objects.order_by("period").values_list("period", flat=True).distinct())
    assert len(periods) == 3
    assert periods[-1] == timezone.localdate().replace(day=1)
    assert Provider.objects.filter(rated_period=periods[-1]).exists()
    assert out.getvalue().count("  ratings ") == 3


def test_allocation_is_exact_and_proportional():
    counts = demo.allocate(100, [1, 1, 2, 0.5])
    assert sum(counts) == 100
    assert counts[2] == max(counts)


@pytest.mark.django_db
def test_reviews_stay_unique_per_provider_store_and_day_when_days_run_short():
    plans = demo.plan_providers(count=30, seed=3)
    for plan in plans:
        plan.stores = 1
    stores = demo.plan_stores(plans, seed=3, today=TODAY)
    for store in stores:  # a 100-day engagement ended long ago: fewer free days than some providers' reviews
        store.start, store.end = TODAY - dt.timedelta(days=500), TODAY - dt.timedelta(days=400)

    rows = [
        row
        for chunk in demo.review_rows(plans, stores, list(range(30)), list(range(30)), seed=3, today=TODAY)
        for row in chunk
    ]

    assert len(rows) == 30 * demo.REVIEWS_PER_PROVIDER
    keys = [(row[0], row[1], row[9]) for row in rows]
    assert len(set(keys)) == len(keys)
