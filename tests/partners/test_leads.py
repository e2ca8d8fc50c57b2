"""Leads: a provider's own key reads the requests sent to it, and its subscriptions get inquiry.created and
engagement.confirmed — never another provider's, never the merchant's identity or contacts."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from inquiries.services import bid_accept, bid_confirm, bid_propose, request_create
from partners.after_response import runner
from partners.services import api_key_create, webhook_subscription_create
from tests.factories import StoreFactory, api_client, category, merchant_of, platform, provider_staff, service
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db

DESCRIPTION = "需要全店代运营，联系我 13812345678 或 merchant.boss@example.com"


@pytest.fixture
def leads(django_capture_on_commit_callbacks):
    five, six = make("five", tier=5, score="4.60"), make("six", tier=6, score="4.10")
    members = {"five": provider_staff(five, role="owner"), "six": provider_staff(six, role="owner")}
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"), name="蓝鲸美妆旗舰店")
    merchant = merchant_of(store, username="boss")
    key, raw = api_key_create(name="五星系统", scopes=["leads", "webhooks"], provider=five)
    return {"five": five, "six": six, "members": members, "store": store, "merchant": merchant, "key": key,
            "raw": raw}


def ask(leads, capture):
    with capture(execute=True):
        return request_create(
            merchant=leads["merchant"], platform=platform("tmall"), category=category("beauty"), store=leads["store"],
            services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
            term_months=12, description=DESCRIPTION, provider_ids=[leads["five"].pk, leads["six"].pk])


def test_a_provider_key_lists_only_its_own_leads_without_the_merchant(leads, django_capture_on_commit_callbacks):
    request = ask(leads, django_capture_on_commit_callbacks)
    response = api_client(leads["raw"]).get("/api/v1/leads/")
    assert response.status_code == 200, response.content
    (lead,) = response.json()["results"]
    five_bid = request.bids.get(provider=leads["five"])
    assert {k: lead[k] for k in ("lead", "request", "provider", "status", "platform", "category", "services",
                                 "budget_min", "budget_max", "start_month", "term_months", "engagement")} == {
        "lead": five_bid.pk, "request": request.pk, "provider": "five", "status": "invited", "platform": "tmall",
        "category": "beauty", "services": ["operation"], "budget_min": 20000, "budget_max": 40000,
        "start_month": "2027-01", "term_months": 12, "engagement": None}
    body = response.content.decode()
    for secret in ("13812345678", "merchant.boss@example.com", "boss", "蓝鲸"):
        assert secret not in body
    six_bid = request.bids.get(provider=leads["six"])
    assert api_client(leads["raw"]).get(f"/api/v1/leads/{six_bid.pk}/").status_code == 404


def test_the_leads_scope_needs_a_provider_and_other_keys_are_refused(leads):
    with pytest.raises(ValidationError) as error:
        api_key_create(name="合作方", scopes=["leads"])
    assert error.value.message_dict == {"scopes": ["“leads”权限只能给服务商自己的密钥（请选择所属服务商）。"]}
    _key, partner_raw = api_key_create(name="合作方", scopes=["read"])
    response = api_client(partner_raw).get("/api/v1/leads/")
    assert response.status_code == 403
    assert api_client().get("/api/v1/leads/").status_code in (401, 403)


def test_lead_events_reach_only_the_providers_own_subscription(leads, receiver, django_capture_on_commit_callbacks):
    webhook_subscription_create(api_key=leads["key"], url=receiver.url,
                                events=["inquiry.created", "engagement.confirmed"])
    _other_key, _raw = api_key_create(name="六星", scopes=["leads", "webhooks"], provider=leads["six"])
    request = ask(leads, django_capture_on_commit_callbacks)
    runner.run_here()
    assert [receiver.json(i)["type"] for i in range(len(receiver.requests))] == ["inquiry.created"]
    created = receiver.json(0)
    assert created["data"]["provider"] == "five" and created["data"]["request"] == request.pk
    assert "13812345678" not in receiver.requests[0]["body"].decode()

    bid = request.bids.get(provider=leads["five"])
    with django_capture_on_commit_callbacks(execute=True):
        bid_propose(bid=bid, author=leads["members"]["five"], monthly_fee=20000, term_months=12, commitments="运营")
        bid_accept(bid=bid, merchant=leads["merchant"])
        engagement = bid_confirm(bid=bid, author=leads["members"]["five"])
    runner.run_here()
    assert [receiver.json(i)["type"] for i in range(len(receiver.requests))] == [
        "inquiry.created", "engagement.confirmed"]
    assert receiver.json(1)["data"]["engagement"] == {"id": engagement.pk, "start_date": "2027-01-01"}


def test_a_partner_key_cannot_subscribe_to_lead_events(leads, receiver):
    key, _raw = api_key_create(name="合作方", scopes=["webhooks"])
    with pytest.raises(ValidationError) as error:
        webhook_subscription_create(api_key=key, url=receiver.url, events=["inquiry.created"])
    assert error.value.message_dict == {
        "events": ["engagement.confirmed, inquiry.created 只对服务商自己的、带“leads”权限的密钥开放。"]}
