"""Demo monthly store performance: platform scores, GMV and rates that follow quality, as database-ready rows."""
from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from decimal import Decimal

from django.db import connection

PERFORMANCE_MONTHS = 12
REFUND_BASE = {
    "apparel": 0.18, "beauty": 0.06, "food": 0.03, "electronics": 0.05, "home": 0.07, "maternity": 0.06,
    "sports": 0.10, "health": 0.03, "appliances": 0.04, "pets": 0.04,
}
SEASON = {1: 0.95, 2: 0.75, 3: 0.95, 4: 0.95, 5: 1.05, 6: 1.35, 7: 0.9, 8: 0.9, 9: 1.0, 10: 1.1, 11: 1.7, 12: 1.25}

# Decimal values precomputed once: building a Decimal per column per row is the slow part otherwise.
SCORE_VALUES = [Decimal(i).scaleb(-2) for i in range(501)]  # 0.00 … 5.00
RATE_VALUES = [Decimal(i).scaleb(-4) for i in range(10001)]  # 0.0000 … 1.0000
HOUR_VALUES = [Decimal(i).scaleb(-2) for i in range(9601)]  # 0.00 … 96.00

PERFORMANCE_FIELDS = [
    "store", "period", "product_score", "logistics_score", "service_score", "gmv", "orders", "complaint_rate",
    "refund_rate", "on_time_ship_rate", "after_sales_response_hours",
]


def performance_rows(plans, stores, store_ids, *, seed: int, today: dt.date, months: int, chunk_stores: int = 5000):
    """Yield lists of monthly performance tuples (PERFORMANCE_FIELDS order): every store, `months` months to today.

    Sub-scores follow the provider's quality (and its decline), plus the store's own level and monthly noise.
    """
    rng = random.Random(f"{seed}:performance")
    rnd, exp = rng.random, math.exp
    current = today.replace(day=1)
    periods = []
    for back in range(months - 1, -1, -1):
        index = current.year * 12 + current.month - 1 - back
        period = dt.date(index // 12, index % 12 + 1, 1)
        periods.append((back, connection.ops.adapt_datefield_value(period), SEASON[period.month]))
    # The current month is reported so far: its GMV and orders cover the days elapsed.
    elapsed = today.day / calendar.monthrange(today.year, today.month)[1]
    scores, rates, hours = SCORE_VALUES, RATE_VALUES, HOUR_VALUES
    drops = {}
    chunk = []
    for i, s in enumerate(stores):
        plan = plans[s.provider]
        if plan.index not in drops:
            drops[plan.index] = [plan.drop(back) for back in range(months)]
        drop = drops[plan.index]
        store_id = store_ids[i]
        refund_base = REFUND_BASE[s.category]
        for back, period, season in periods:
            quality = plan.quality - drop[back]
            # (r+r+r-1.5)·2 is a unit-variance bell on [-3, 3]: close enough to a normal, ten times cheaper.
            level = 2.9 + 2.1 * quality + s.level + 0.16 * (rnd() + rnd() + rnd() - 1.5)
            product = scores[min(500, max(0, round((level + 0.24 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            logistics = scores[min(500, max(0, round((level + 0.36 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            service = scores[min(500, max(0, round((level + 0.24 * (rnd() + rnd() + rnd() - 1.5)) * 100)))]
            gmv = s.gmv * season * (0.85 + 0.3 * quality) * exp(0.3 * (rnd() + rnd() + rnd() - 1.5))
            if back == 0:
                gmv *= elapsed
            failing = 1 - quality
            complaint = min(0.2, 0.002 + 0.03 * failing * failing * exp(0.6 * (rnd() + rnd() - 1)))
            refund = min(0.8, refund_base * (1.3 - 0.5 * quality) * exp(0.4 * (rnd() + rnd() - 1)))
            on_time = min(1.0, 0.88 + 0.115 * quality + 0.03 * (rnd() + rnd() - 1))
            response = min(96.0, 1.0 + 30 * failing ** 1.5 * exp(0.6 * (rnd() + rnd() - 1)))
            chunk.append((
                store_id, period, product, logistics, service, Decimal(int(gmv * 100)).scaleb(-2),
                int(gmv / s.order_value), rates[round(complaint * 10000)], rates[round(refund * 10000)],
                rates[round(on_time * 10000)], hours[round(response * 100)],
            ))
        if (i + 1) % chunk_stores == 0:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
