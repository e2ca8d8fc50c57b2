import datetime as dt

import pytest

from ratings.services.recompute import ratings_recompute
from tests.factories import (
    EngagementFactory,
    StorePerformanceFactory,
    provider_staff,
    rated_provider,
)

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def team(db):
    """Provider A (rated, three stores of its own) with an owner, a manager and a member; provider B with its owner
    and a store of its own whose performance must never show on A's pages."""
    a = rated_provider(stores=3, score="4.60", today=AS_OF, slug="alpha", name="阿尔法电商")
    b = rated_provider(stores=3, score="3.10", today=AS_OF, slug="beta", name="贝塔电商")
    other = EngagementFactory(provider=b, start_date=dt.date(2023, 1, 1), store__name="贝塔独家店铺XYZ")
    StorePerformanceFactory(store=other.store, period=dt.date(2025, 6, 1))
    ratings_recompute(as_of=AS_OF, provider_ids=[a.pk, b.pk])
    return {
        "a": a, "b": b,
        "owner": provider_staff(a, username="a-owner", role="owner"),
        "manager": provider_staff(a, username="a-manager", role="manager"),
        "member": provider_staff(a, username="a-member", role="member"),
        "b_owner": provider_staff(b, username="b-owner", role="owner"),
    }


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in
