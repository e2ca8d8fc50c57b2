"""ratings.services.recompute's snapshot upsert: a rerun as of a new day rewrites only the rows whose figures changed."""
import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.db import connection

from ratings import services
from ratings.models import ScoreSnapshot, StorePerformance
from ratings.services.recompute import SNAPSHOT_COLUMNS, _upsert_snapshots
from tests.factories import EngagementFactory, ProviderFactory, ReviewFactory, StorePerformanceFactory

pytestmark = pytest.mark.django_db

JUNE = dt.date(2025, 6, 1)
MONTHS = [dt.date(2025, 4, 1), dt.date(2025, 5, 1), JUNE]


def provider_with_stores(n=2, score="4.00"):
    provider = ProviderFactory()
    for _ in range(n):
        engagement = EngagementFactory(provider=provider, start_date=dt.date(2024, 1, 1))
        for month in MONTHS:
            StorePerformanceFactory(store=engagement.store, period=month, product_score=D(score),
                                    logistics_score=D(score), service_score=D(score))
    return provider


def rows_as_stored(period=JUNE):
    """Every column of the period's snapshots, with the row's physical version on PostgreSQL (xmin moves on UPDATE)."""
    version = "xmin::text" if connection.vendor == "postgresql" else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT provider_id, as_of, explanation, {version} FROM ratings_scoresnapshot WHERE period = %s "
            "ORDER BY provider_id", [period],
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_rerun_the_next_day_with_unchanged_figures_rewrites_no_snapshot():
    # No reviews, so nothing decays between the two days: every figure is the same.
    providers = [provider_with_stores(), provider_with_stores(score="3.00")]
    services.ratings_recompute(as_of=dt.date(2025, 6, 29))
    before = rows_as_stored()

    services.ratings_recompute(as_of=dt.date(2025, 6, 30))

    assert rows_as_stored() == before  # as_of still the 29th: no UPDATE reached the rows
    assert set(ScoreSnapshot.objects.filter(period=JUNE).values_list("as_of", flat=True)) == {dt.date(2025, 6, 29)}
    assert ScoreSnapshot.objects.filter(provider__in=providers, period=JUNE).count() == 2


def test_a_changed_figure_rewrites_exactly_that_providers_snapshot():
    changed, unchanged = provider_with_stores(), provider_with_stores()
    services.ratings_recompute(as_of=dt.date(2025, 6, 29))
    before = rows_as_stored()
    old_score = ScoreSnapshot.objects.get(provider=changed, period=JUNE).performance_score

    store = changed.engagements.first().store
    StorePerformance.objects.filter(store=store, period=JUNE).update(product_score=D("5.00"))
    services.ratings_recompute(as_of=dt.date(2025, 6, 30))

    after = rows_as_stored()
    assert after[unchanged.pk] == before[unchanged.pk]
    assert str(after[changed.pk][0]) == "2025-06-30"
    assert ScoreSnapshot.objects.get(provider=changed, period=JUNE).performance_score != old_score
    assert ScoreSnapshot.objects.get(provider=unchanged, period=JUNE).as_of == dt.date(2025, 6, 29)


def test_decaying_reviews_are_a_changed_figure_each_day():
    provider = provider_with_stores()
    engagement = provider.engagements.first()
    ReviewFactory(provider=provider, store=engagement.store, rating=4, created_at=dt.date(2025, 5, 1), verified=True)
    services.ratings_recompute(as_of=dt.date(2025, 6, 29))
    first = ScoreSnapshot.objects.get(provider=provider, period=JUNE)

    services.ratings_recompute(as_of=dt.date(2025, 6, 30))

    second = ScoreSnapshot.objects.get(provider=provider, period=JUNE)
    assert second.as_of == dt.date(2025, 6, 30)
    assert second.explanation["review"]["weight"] != first.explanation["review"]["weight"]


def test_as_of_moves_with_equal_figures_when_a_reinstatement_falls_between_the_two_dates():
    # ratings_gather_facts drops a previous month rated before the reinstatement (as_of < reinstated_on): the
    # stored date must answer that as the latest run's date would, even when the figures did not change.
    reinstated, other = provider_with_stores(), provider_with_stores()
    services.ratings_recompute(as_of=dt.date(2025, 6, 10))
    stored = {s.provider_id: s for s in ScoreSnapshot.objects.filter(period=JUNE)}
    type(reinstated).objects.filter(pk=reinstated.pk).update(reinstated_on=dt.date(2025, 6, 20))
    rows = []
    for provider in (reinstated, other):
        snap = stored[provider.pk]
        # The row as the engine writes it (explanation as its JSON text), one day later.
        values = {column: getattr(snap, column) for column in SNAPSHOT_COLUMNS}
        values.update(as_of=dt.date(2025, 6, 25), explanation=json.dumps(snap.explanation, ensure_ascii=False))
        rows.append(tuple(values[column] for column in SNAPSHOT_COLUMNS))

    _upsert_snapshots(rows)

    assert ScoreSnapshot.objects.get(provider=reinstated, period=JUNE).as_of == dt.date(2025, 6, 25)
    assert ScoreSnapshot.objects.get(provider=other, period=JUNE).as_of == dt.date(2025, 6, 10)
