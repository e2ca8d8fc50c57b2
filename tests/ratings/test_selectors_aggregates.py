"""The engine's facts summed in SQL (ratings.selectors.aggregates) rate exactly as the Decimal reference does.

`ratings_gather_facts` (sums from the database, doubles for the decay) against `ratings_gather_facts_exact` (per-day
groups and every entry in Decimal, the engine before the sums moved): every figure of every provider's rating,
compared by repr, so 4.50 and 4.5 would differ too.
"""
import datetime as dt
import random
from decimal import Decimal as D

import pytest

from ratings import scoring, selectors, services
from ratings.models import RatingPolicy, Review, ScoreSnapshot
from ratings.services import recompute
from tests.factories import (
    EngagementFactory, ProviderFactory, ReviewFactory, StoreFactory, StorePerformanceFactory, TierOverrideFactory,
)

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2025, m, 1) for m in range(1, 8)]
AS_OF = [dt.date(2025, 5, 31), dt.date(2025, 6, 1), dt.date(2025, 6, 17), dt.date(2025, 7, 1), dt.date(2025, 7, 31)]


def scenario(seed=7, providers=12):
    """Providers with every kind of evidence the policy reads, drawn at random but reproducibly."""
    rng = random.Random(seed)
    made = []
    for n in range(providers):
        provider = ProviderFactory(services=rng.sample(["warehousing", "distribution", "design", "customer_service"],
                                                       rng.randint(0, 3)))
        stores = []
        for _ in range(rng.randint(0, 4)):
            start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 560))
            end = rng.choice([None, None, start + dt.timedelta(days=rng.randint(10, 200))])
            engagement = EngagementFactory(provider=provider, start_date=start, end_date=end)
            if rng.random() < 0.3:  # a second engagement of the same store: its months count once
                EngagementFactory(provider=provider, store=engagement.store, start_date=start + dt.timedelta(days=3))
            stores.append(engagement.store)
            for month in MONTHS:
                if rng.random() < 0.85:
                    StorePerformanceFactory(
                        store=engagement.store, period=month,
                        **{f: D(rng.randint(250, 500)) / 100 for f in ("product_score", "logistics_score",
                                                                         "service_score")},
                    )
        if stores and rng.random() < 0.3:  # a store taken over by another provider mid-window
            EngagementFactory(store=stores[0], start_date=dt.date(2025, 6, 10))
        reviewed = set()  # (store, day): the review import key is unique per provider
        for _ in range(rng.randint(0, 30)):
            store = rng.choice(stores) if stores else StoreFactory()
            # Days from 2023 to past the last as_of, several reviews on some of them.
            day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.choice([rng.randint(0, 940), 881, 896, 912]))
            if (store.pk, day) in reviewed:
                continue
            reviewed.add((store.pk, day))
            ReviewFactory(
                provider=provider, store=store, rating=rng.randint(1, 5), created_at=day,
                status=rng.choice([Review.Status.PUBLISHED] * 4 + [Review.Status.PENDING, Review.Status.REJECTED]),
            )
        if rng.random() < 0.2:
            TierOverrideFactory(provider=provider, tier=rng.randint(3, 6), starts_on=dt.date(2025, 5, 1),
                                expires_on=rng.choice([None, dt.date(2025, 6, 30)]))
        made.append(provider)
    services.reviews_refresh_verification()
    return made


def ratings_both_ways(as_of, policy_row=None):
    """{provider: repr of its rating} from the SQL facts and from the exact reference."""
    period = scoring.month_start(as_of)
    policy = selectors.policy_to_scoring(policy_row or selectors.policy_active())
    previous = selectors.previous_snapshots(period=period, provider_ids=None)
    kwargs = {"as_of": as_of, "period": period, "policy": policy, "provider_ids": None, "previous": previous}
    fast = selectors.ratings_gather_facts(**kwargs)
    exact = selectors.ratings_gather_facts_exact(**kwargs)
    assert list(fast) == list(exact)
    return ({pk: repr(scoring.rate(f, policy)) for pk, f in fast.items()},
            {pk: repr(scoring.rate(f, policy)) for pk, f in exact.items()}, fast)


def test_sql_facts_rate_exactly_as_the_decimal_reference_on_every_provider_and_day():
    scenario()
    for as_of in AS_OF:
        fast, exact, _ = ratings_both_ways(as_of)
        assert fast == exact, as_of
        services.ratings_recompute(as_of=as_of)  # the next month reads these as its previous snapshots
    assert ScoreSnapshot.objects.filter(composite__isnull=False).exists()


def test_sql_facts_match_under_a_draft_policy_with_other_weights_and_window():
    scenario(seed=11)
    draft = RatingPolicy.objects.get(is_active=True)
    draft.pk, draft.version, draft.is_active = None, None, False
    draft.product_weight, draft.logistics_weight, draft.service_weight = D("0.333"), D("0.333"), D("0.334")
    draft.half_life_days, draft.performance_window_months, draft.excellent_store_threshold = 97, 5, D("4.17")
    draft.save()
    for as_of in AS_OF[::2]:
        fast, exact, _ = ratings_both_ways(as_of, policy_row=draft)
        assert fast == exact, as_of


def test_a_provider_at_a_rounding_boundary_is_rated_on_its_exact_review_groups():
    # 11 reviews dated as_of (weight exactly 1), ratings summing to 40: R = (5×3.5 + 40) / 16 = 3.59375, a tie at
    # 4 places that a double cannot be trusted to break; the Decimal path rounds it half up to 3.5938.
    provider = ProviderFactory()
    engagement = EngagementFactory(provider=provider)
    for month in MONTHS[3:6]:
        StorePerformanceFactory(store=engagement.store, period=month)
    for rating in [4] * 7 + [3] * 4:
        ReviewFactory(provider=provider, store=StoreFactory(), rating=rating, created_at=dt.date(2025, 6, 30),
                      verified=True)
    policy = selectors.policy_to_scoring(selectors.policy_active())
    sums = selectors.aggregates.review_sums(
        as_of=dt.date(2025, 6, 30), policy=policy,
        batch=next(selectors.provider_batches(provider_ids=None, size=None)),
    )[provider.pk]
    assert (sums.count, sums.rating_sum, sums.weight) == (11, 40, 11.0)
    assert scoring.review_figures_from_sums(sums, D("4.5"), policy) is None

    fast, exact, facts = ratings_both_ways(dt.date(2025, 6, 30))
    assert facts[provider.pk].review_sums is None and facts[provider.pk].review_groups == [(0, 11, 40)]
    assert fast == exact
    assert scoring.rate(facts[provider.pk], policy).review_score == D("3.5938")


def test_review_figures_from_sums_refuse_to_round_a_double_at_a_tie():
    policy = selectors.policy_to_scoring(selectors.policy_active())
    assert scoring.review_figures_from_sums(scoring.ReviewSums(11, 40, 11.0, 40.0), None, policy) is None
    # R = (17.5 + 41) / 15 = 3.9, S = 0.4 × 3.9 + 0.6 × 4.5 = 4.26: no tie, the doubles decide.
    figures = scoring.review_figures_from_sums(scoring.ReviewSums(10, 41, 10.0, 41.0), D("4.5"), policy)
    assert (figures.score, figures.weight, figures.composite) == (D("3.9000"), D("10.0000"), D("4.26"))
    assert str(figures.score) == "3.9000" and str(figures.composite) == "4.26"


def test_batches_of_two_write_the_same_snapshots_and_events_as_one_batch(monkeypatch):
    scenario(seed=3, providers=7)
    fields = [f.name for f in ScoreSnapshot._meta.fields if f.name != "id"]
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))
    one_batch = list(ScoreSnapshot.objects.order_by("provider").values(*fields))
    ScoreSnapshot.objects.all().delete()
    monkeypatch.setattr(recompute, "RECOMPUTE_BATCH_SIZE", 2)
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))
    assert list(ScoreSnapshot.objects.order_by("provider").values(*fields)) == one_batch
    # Given ids go by chunks of the list (an unknown id is skipped), with the same outcome.
    ScoreSnapshot.objects.all().delete()
    ids = [row["provider"] for row in one_batch]
    result = services.ratings_recompute(as_of=dt.date(2025, 6, 30), provider_ids=[*ids[::2], 999_999, *ids[1::2]])
    assert result.providers == len(ids)
    assert list(ScoreSnapshot.objects.order_by("provider").values(*fields)) == one_batch


def test_a_rerun_with_unchanged_figures_sends_no_snapshot_row(monkeypatch):
    provider = ProviderFactory()
    engagement = EngagementFactory(provider=provider)
    for month in MONTHS[3:6]:
        StorePerformanceFactory(store=engagement.store, period=month)
    services.ratings_recompute(as_of=dt.date(2025, 6, 29))
    assert ScoreSnapshot.objects.get(provider=provider).figures_hash is not None
    sent = []
    upsert = recompute._upsert_snapshots
    monkeypatch.setattr(recompute, "_upsert_snapshots", lambda rows: (sent.append(list(rows)), upsert(rows)))

    services.ratings_recompute(as_of=dt.date(2025, 6, 30))
    StorePerformanceFactory(store=engagement.store, period=dt.date(2025, 3, 1))  # outside the window: no change
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))
    engagement.store.performance.filter(period=dt.date(2025, 6, 1)).update(product_score=D("3.00"))
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))

    assert [[row[0] for row in rows] for rows in sent] == [[], [], [provider.pk]]


def test_an_override_reason_with_tabs_backslashes_and_quotes_survives_the_bulk_write():
    provider = ProviderFactory()
    engagement = EngagementFactory(provider=provider)
    for month in MONTHS[3:6]:
        StorePerformanceFactory(store=engagement.store, period=month)
    reason = '平台认证\t"官方"\\n 第二行\n\\N'
    TierOverrideFactory(provider=provider, tier=5, reason=reason, starts_on=dt.date(2025, 6, 1))
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))
    snap = ScoreSnapshot.objects.get(provider=provider)
    assert (snap.tier, snap.overridden, snap.explanation["override"]["reason"]) == (5, True, reason)
