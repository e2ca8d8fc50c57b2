"""recompute_ratings from the command line."""
import datetime as dt
import io
from decimal import Decimal as D
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from ratings.models import ScoreSnapshot
from tests.factories import EngagementFactory, ProviderFactory, StorePerformanceFactory

pytestmark = pytest.mark.django_db


def provider_with_rows(months):
    provider = ProviderFactory()
    for _ in range(3):
        engagement = EngagementFactory(provider=provider, start_date=dt.date(2024, 1, 1))
        for month in months:
            StorePerformanceFactory(store=engagement.store, period=month, product_score=D("4.00"),
                                    logistics_score=D("4.00"), service_score=D("4.00"))
    return provider


def test_backfill_computes_each_month_as_of_its_last_day_in_order():
    provider = provider_with_rows([dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)])
    out, err = io.StringIO(), io.StringIO()
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2025, 3, 14)):
        call_command("recompute_ratings", "--from", "2025-01", "--to", "2025-03", stdout=out, stderr=err)
    snaps = list(ScoreSnapshot.objects.filter(provider=provider).order_by("period").values_list("period", "as_of"))
    assert snaps == [
        (dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 14)),  # the current month: as of today
    ]
    assert out.getvalue().splitlines() == [
        "2025-01 as of 2025-01-31: 1 providers, 1 rated, 1 tier/status changes",
        "2025-02 as of 2025-02-28: 1 providers, 1 rated, 0 tier/status changes",
        "2025-03 as of 2025-03-14: 1 providers, 1 rated, 0 tier/status changes",
    ]
    assert "1/1" in err.getvalue()  # the progress bar


def test_recompute_one_provider_by_slug():
    rated = provider_with_rows([dt.date(2025, 6, 1)])
    other = provider_with_rows([dt.date(2025, 6, 1)])
    call_command("recompute_ratings", "--as-of", "2025-06-30", "--provider", rated.slug, stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert ScoreSnapshot.objects.filter(provider=rated).count() == 1
    assert ScoreSnapshot.objects.filter(provider=other).count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-13-01"], "'2025-13-01' is not a date in the form YYYY-MM-DD"),
        (["--from", "2025-01"], "--from and --to go together"),
        (["--from", "2025-03", "--to", "2025-01"], "--from must not be after --to"),
        (["--from", "2025/01", "--to", "2025-02"], "'2025/01' is not a month in the form YYYY-MM"),
        (["--as-of", "2025-01-01", "--from", "2025-01", "--to", "2025-02"], "use either --as-of or --from/--to"),
        (["--provider", "nobody"], "no provider with slug 'nobody'"),
    ],
)
def test_recompute_rejects_bad_arguments_clearly(args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("recompute_ratings", *args, stdout=io.StringIO(), stderr=io.StringIO())
