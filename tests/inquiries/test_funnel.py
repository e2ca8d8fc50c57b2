"""The inquiry funnel in the admin (issue 13): the numbers it renders for a known set of requests and answers, per
month of the invitation and per provider, and who may open it."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from inquiries.models import Bid
from inquiries.services import (
    bid_accept, bid_confirm, bid_decline, bid_propose, bids_expire, request_create, request_withdraw,
)
from tests.factories import (
    GRADERS, MODERATORS, STEWARDS, UserFactory, category, platform, provider_staff, service, staff_user,
)
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db

URL = reverse("admin:inquiries_funnel")
JANUARY = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 14, 12, tzinfo=dt.UTC)


def tables(html: str) -> list[list[list[str]]]:
    """The rows of each table body, each row as its cells' text."""
    return [
        [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]
        for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    ]


def ask(merchant, *providers, invited_at):
    request = request_create(
        merchant=merchant, platform=platform("tmall"), category=category("beauty"), new_store_name="新店",
        services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
        term_months=12, description="需要代运营。", provider_ids=[p.pk for p in providers])
    Bid.objects.filter(request=request).update(invited_at=invited_at)
    return {bid.provider.slug: bid for bid in request.bids.select_related("provider")}, request


@pytest.fixture
def funnel():
    """January: one request to alpha (proposes, hired, confirms), beta (declines) and gamma (expires).
    February: a request to alpha and beta (beta chosen, alpha not selected), one to gamma (withdrawn) and one to
    beta (declines)."""
    alpha, beta, gamma = make("alpha", tier=5, score="4.50"), make("beta", tier=5, score="4.20"), make(
        "gamma", tier=4, score="4.00")
    staff = {p.slug: provider_staff(p, role="owner") for p in (alpha, beta, gamma)}
    merchant = UserFactory()

    bids, _request = ask(merchant, alpha, beta, gamma, invited_at=JANUARY)
    bid_propose(bid=bids["alpha"], author=staff["alpha"], monthly_fee=25000, term_months=12, commitments="运营")
    bid_decline(bid=bids["beta"], author=staff["beta"], reason="排期已满")
    assert bids_expire(now=JANUARY + dt.timedelta(days=4)) == 1  # gamma's
    bid_accept(bid=bids["alpha"], merchant=merchant)
    bid_confirm(bid=bids["alpha"], author=staff["alpha"])

    bids, _request = ask(merchant, alpha, beta, invited_at=FEBRUARY)
    bid_propose(bid=bids["beta"], author=staff["beta"], monthly_fee=22000, term_months=12, commitments="运营")
    bid_accept(bid=bids["beta"], merchant=merchant)
    _bids, withdrawn = ask(merchant, gamma, invited_at=FEBRUARY)
    request_withdraw(request=withdrawn, merchant=merchant, reason="暂缓")
    bids, _request = ask(merchant, beta, invited_at=FEBRUARY)
    bid_decline(bid=bids["beta"], author=staff["beta"], reason="不做该类目")

    assert sorted(Bid.objects.values_list("provider__slug", "status")) == sorted([
        ("alpha", "confirmed"), ("beta", "declined"), ("gamma", "expired"),
        ("alpha", "not_selected"), ("beta", "accepted"), ("gamma", "withdrawn"), ("beta", "declined")])


@pytest.mark.parametrize("role", [GRADERS, MODERATORS])
def test_the_funnel_renders_the_exact_counts_per_month_and_per_provider(client, funnel, role):
    client.force_login(staff_user(role))
    response = client.get(URL)
    assert response.status_code == 200
    by_month, by_provider = tables(response.content.decode())
    # month, requests, invited, answered, chosen (accepted or confirmed), confirmed: newest month first.
    assert by_month == [
        ["2026-02", "3", "4", "2", "1", "0"],
        ["2026-01", "1", "3", "2", "1", "1"],
    ]
    # provider, invited, answered, chosen, confirmed: most invited first, then by name.
    assert by_provider == [
        ["beta", "3", "3", "1", "0"],
        ["alpha", "2", "1", "1", "1"],
        ["gamma", "2", "0", "0", "0"],
    ]


def test_an_empty_funnel_says_so(client):
    client.force_login(staff_user(GRADERS))
    assert tables(client.get(URL).content.decode()) == [[["暂无数据。"]], [["暂无数据。"]]]


@pytest.mark.parametrize(("who", "status"), [
    ("steward", 403),  # staff in a role without the inquiry requests' view permission
    ("staff-without-role", 302),  # staff in no role: kept out of the admin altogether
    ("non-staff", 302),
    ("anonymous", 302),
])
def test_only_staff_who_may_view_requests_open_the_funnel(client, funnel, who, status):
    user = {"steward": lambda: staff_user(STEWARDS), "staff-without-role": lambda: staff_user(None),
            "non-staff": lambda: UserFactory(), "anonymous": lambda: None}[who]()
    if user is not None:
        client.force_login(user)
    response = client.get(URL)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    assert "beta" not in response.content.decode()


def test_the_funnel_months_follow_the_sites_time_zone(client):
    """An invitation at 23:30 UTC on 31 January is 1 February in Shanghai: counted in February."""
    alpha = make("alpha", tier=5, score="4.50")
    ask(UserFactory(), alpha, invited_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC))
    client.force_login(staff_user(GRADERS))
    by_month, _by_provider = tables(client.get(URL).content.decode())
    assert by_month == [["2026-02", "1", "1", "0", "0", "0"]]
