"""The demo looks like a real directory (issue #16 item 10): seeded towards target tiers, rated by the engine."""
import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from ingest import demo
from providers.models import Provider

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def seeded(db, monkeypatch):
    """`seed_demo --providers 60 --seed 1` with its 12 months of ratings, as of TODAY."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    call_command("seed_demo", providers=60, seed=1, stdout=StringIO())
    return Counter(Provider.objects.values_list("tier", flat=True))


def test_plan_allocates_target_tiers_exactly_by_the_mix():
    targets = Counter(plan.target for plan in demo.plan_providers(count=300, seed=1))

    assert targets == {6: 5, 5: 27, 4: 84, 3: 120, None: 64}


def test_plan_gives_each_target_what_its_gates_ask_for():
    for plan in demo.plan_providers(count=300, seed=1):
        if plan.target is None:
            continue
        kind, (low, high), (q_low, q_high) = demo.TIER_PLANS[plan.target]
        assert (plan.kind, low <= plan.stores <= high, q_low <= plan.quality <= q_high) == (kind, True, True)
        assert set(demo.TIER_SERVICES.get(plan.target, ())) <= set(plan.services)


def test_small_plans_still_aim_one_provider_at_six_stars():
    assert [Counter(p.target for p in demo.plan_providers(count=n, seed=1))[6] for n in (1, 2, 10, 60)] == [0, 1, 1, 1]


def test_rated_demo_populates_the_tiers_like_a_market(seeded):
    assert seeded == {6: 1, 5: 5, 4: 16, 3: 26, None: 12}
    assert seeded[3] + seeded[4] > seeded[5] > seeded[6] >= 1
    assert seeded[None] / 60 < 0.30


def test_demo_provider_account_owns_the_best_rated_provider(seeded):
    call_command("demo_accounts", password="demo-pass-1", stdout=StringIO())

    staff = get_user_model().objects.get(username="demo_provider")
    top = Provider.objects.filter(tier=6).order_by("-score").first()
    assert list(staff.provider_memberships.values_list("pk", flat=True)) == [top.pk]
