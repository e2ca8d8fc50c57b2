"""The load mix of issue 7: 70% directory pages with filters, 20% provider pages, 10% API reads.

Run through benchmarks/load.py (starts gunicorn, sweeps 1/10/50 users, prints the table). By hand:

    LOAD_SLUGS_FILE=slugs.txt .venv/bin/locust -f benchmarks/locustfile.py --headless -u 10 -r 10 -t 30s \
        --host http://127.0.0.1:8000

Users send their next request as soon as the last one answered (no think time, LOAD_THINK_SECONDS to add some),
so N users are N requests in flight: the worst case for a given number of concurrent users. FastHttpUser's
client costs a fraction of the CPU of the requests-based HttpUser, which matters with locust on the server's cores.
"""
import os
import random

from locust import FastHttpUser, between, constant, task

PLATFORMS = ["tmall", "taobao", "jd", "douyin", "pdd", "kuaishou", "xiaohongshu"]
CATEGORIES = ["apparel", "beauty", "food", "electronics", "home", "maternity", "sports", "health"]
CITIES = ["上海", "杭州", "北京", "广州", "深圳", "义乌", "南京", "厦门"]
SORTS = ["score", "tier", "reviews", "fee", "fee_desc", "name"]
SERVICES = ["operation", "warehousing", "distribution"]


def _slugs() -> list[str]:
    path = os.environ.get("LOAD_SLUGS_FILE")
    if not path:
        return []
    with open(path, encoding="utf-8") as file:
        return [line.strip() for line in file if line.strip()]


SLUGS = _slugs()
THINK = float(os.environ.get("LOAD_THINK_SECONDS", "0"))


def directory_filters(rng: random.Random) -> dict:
    """One to three filters as a merchant would combine them, a sort, and sometimes a later page."""
    choices = {
        "platform": lambda: rng.choice(PLATFORMS), "category": lambda: rng.choice(CATEGORIES),
        "city": lambda: rng.choice(CITIES), "min_tier": lambda: str(rng.randint(1, 5)),
        "service": lambda: rng.choice(SERVICES), "fee_to": lambda: str(rng.choice([20000, 50000, 100000])),
    }
    params = {name: make() for name, make in rng.sample(sorted(choices.items()), rng.randint(1, 3))}
    params["sort"] = rng.choice(SORTS)
    if rng.random() < 0.2:
        params["page"] = str(rng.randint(2, 5))
    return params


class Merchant(FastHttpUser):
    wait_time = between(THINK * 0.5, THINK * 1.5) if THINK else constant(0)

    def on_start(self):
        self.rng = random.Random()

    @task(70)
    def directory(self):
        self.client.get("/providers/", params=directory_filters(self.rng), name="/providers/?filters")

    @task(20)
    def provider(self):
        if SLUGS:
            self.client.get(f"/providers/{self.rng.choice(SLUGS)}/", name="/providers/<slug>/")

    @task(10)
    def api(self):
        params = {"platform": self.rng.choice(PLATFORMS), "ordering": "-score"}
        if self.rng.random() < 0.5 and SLUGS:
            self.client.get(f"/api/v1/providers/{self.rng.choice(SLUGS)}/", name="/api/v1/providers/<slug>/")
        else:
            self.client.get("/api/v1/providers/", params=params, name="/api/v1/providers/?filters")
