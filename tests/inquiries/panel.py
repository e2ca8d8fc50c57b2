"""A panel of five 5★ Tmall providers (alpha … epsilon), each with an owner, and a merchant with a verified Tmall
store: the cast of the closing and reopening tests. `ask` sends that merchant's request to some of them."""
import datetime as dt

from inquiries.services import request_create
from tests.factories import (
    StoreFactory,
    category,
    merchant_of,
    platform,
    provider_staff,
    service,
)
from tests.inquiries.test_flow import make

SLUGS = ("alpha", "beta", "gamma", "delta", "epsilon")


def panel_build() -> dict:
    providers = {slug: make(slug, tier=5, score="4.50") for slug in SLUGS}
    staff = {slug: provider_staff(p, role="owner") for slug, p in providers.items()}
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"))
    return {"providers": providers, "staff": staff, "store": store, "merchant": merchant_of(store)}


def ask(panel: dict, *slugs: str):
    """The merchant's request to these providers, and its parts by provider slug."""
    request = request_create(
        merchant=panel["merchant"], platform=platform("tmall"), category=category("beauty"), store=panel["store"],
        services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
        term_months=12, description="需要全店代运营。", provider_ids=[panel["providers"][s].pk for s in slugs])
    return request, {bid.provider.slug: bid for bid in request.bids.select_related("provider")}
