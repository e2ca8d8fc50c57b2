"""ratings.selectors.pages: the reads behind the merchant pages (latest snapshot, trend, store performance)."""
import datetime as dt
from decimal import Decimal

import pytest

from ratings.selectors import provider_latest_snapshot
from tests.factories import ProviderFactory, ScoreSnapshotFactory


@pytest.mark.django_db
def test_latest_snapshot_is_the_latest_period_or_none():
    provider = ProviderFactory()
    assert provider_latest_snapshot(provider=provider) is None

    ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 6, 1), composite=Decimal("4.10"))
    ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 5, 1), composite=Decimal("3.90"))
    ScoreSnapshotFactory(period=dt.date(2025, 7, 1))  # another provider's

    latest = provider_latest_snapshot(provider=provider)
    assert (latest.period, latest.composite) == (dt.date(2025, 6, 1), Decimal("4.10"))
