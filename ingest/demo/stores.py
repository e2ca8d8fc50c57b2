"""Demo stores: each provider's stores (one engagement each), planned and then written."""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from providers.models import Store

from .names import BRAND_HEADS, BRAND_TAILS, CATEGORY_WORD, STORE_SUFFIXES
from .providers import PLATFORM_WEIGHTS, ProviderPlan
from .writing import BATCH_SIZE

ENDED_SHARE = 0.10
AVERAGE_ORDER_VALUE = {  # CNY per order, by category
    "apparel": 180, "beauty": 160, "food": 90, "electronics": 900, "home": 400, "maternity": 200,
    "sports": 300, "health": 120, "appliances": 1200, "pets": 110,
}


@dataclass
class StorePlan:
    provider: int  # index into the provider plans
    platform: str
    category: str
    name: str
    external_id: str
    start: dt.date
    end: dt.date | None
    level: float  # the store's own offset on top of its provider's quality
    gmv: float  # typical monthly GMV
    order_value: float


def plan_stores(plans: list[ProviderPlan], *, seed: int, today: dt.date) -> list[StorePlan]:
    """Each provider's stores, one engagement each: started 1–4 years ago, ~10% ended since."""
    rng = random.Random(f"{seed}:stores")
    next_id = {code: 100_000_000 + i * 37_000_000 for i, code in enumerate(PLATFORM_WEIGHTS)}
    stores = []
    for plan in plans:
        platform_weights = [PLATFORM_WEIGHTS[c] for c in plan.platforms]
        for _ in range(plan.stores):
            platform = rng.choices(plan.platforms, weights=platform_weights)[0]
            category = rng.choice(plan.categories)
            next_id[platform] += rng.randint(1, 997)
            brand = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
            name = f"{brand}{CATEGORY_WORD[category]}{rng.choice(STORE_SUFFIXES[platform])}"
            start = today - dt.timedelta(days=rng.randint(365, 4 * 365))
            end = None
            if rng.random() < ENDED_SHARE:
                end = today - dt.timedelta(days=rng.randint(15, 300))
            stores.append(StorePlan(
                provider=plan.index, platform=platform, category=category, name=name,
                external_id=str(next_id[platform]), start=start, end=end, level=rng.gauss(0, 0.22),
                gmv=rng.lognormvariate(math.log(250_000), 1.0),
                order_value=AVERAGE_ORDER_VALUE[category] * rng.lognormvariate(0, 0.25),
            ))
    return stores


def create_stores(stores: list[StorePlan], reference: dict) -> list[int]:
    platforms, categories = reference["platform"], reference["category"]
    rows = [Store(platform_id=platforms[s.platform][0], external_id=s.external_id, name=s.name,
                  category_id=categories[s.category][0]) for s in stores]
    created = Store.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if created and created[0].pk is None:  # SQLite < 3.35 returns no ids: read them back in one query
        by_key = {(p, e): pk for p, e, pk in Store.objects.values_list("platform_id", "external_id", "pk")}
        return [by_key[(platforms[s.platform][0], s.external_id)] for s in stores]
    return [s.pk for s in created]
