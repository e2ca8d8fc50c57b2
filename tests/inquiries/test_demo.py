"""The demo's requests for proposals: every state on the merchant's and the provider's pages, rerunnable; after the
real demo seeding (seed_demo, demo_accounts) every state has a row and the funnel shows numbers."""
import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from inquiries.demo import demo_inquiries
from inquiries.models import Bid, InquiryRequest
from inquiries.states import BidStatus, RequestStatus
from providers.models import Engagement, Provider
from tests.factories import GRADERS, UserFactory, provider_staff, staff_user
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_a_rerun_starts_over():
    best = make("best", tier=6, score="4.90")
    for slug, tier in (("a", 5), ("b", 5), ("c", 4), ("d", 3)):
        make(slug, tier=tier, score="4.00")
    merchant, staff = UserFactory(username="demo_merchant"), provider_staff(best, role="owner")

    made = demo_inquiries(merchant=merchant, provider=best, staff=staff)
    made_again = demo_inquiries(merchant=merchant, provider=best, staff=staff)

    assert set(made_again) == {"open", "hired", "accepted", "withdrawn", "closed"}
    assert InquiryRequest.objects.count() == 5 and not InquiryRequest.objects.filter(pk__in=made.values()).exists()
    assert dict(InquiryRequest.objects.values_list("pk", "status")) == {
        made_again["open"]: "open", made_again["hired"]: "hired", made_again["accepted"]: "hired",
        made_again["withdrawn"]: "withdrawn", made_again["closed"]: "closed"}
    assert sorted(Bid.objects.filter(request_id=made_again["open"]).values_list("provider__slug", "status")) == [
        ("a", "proposed"), ("b", "proposed"), ("best", "invited"), ("c", "declined"), ("d", "expired")]
    assert sorted(Bid.objects.filter(request_id=made_again["accepted"]).values_list("provider__slug", "status")) == [
        ("a", "not_selected"), ("best", "accepted")]
    assert sorted(Bid.objects.filter(request_id=made_again["closed"]).values_list("provider__slug", "status")) == [
        ("c", "declined"), ("d", "declined")]
    assert set(Bid.objects.values_list("status", flat=True)) == set(BidStatus.values)
    assert Engagement.objects.filter(source="directory").count() == 1  # the first run's hire went with it


def test_the_demo_invites_no_provider_a_sanction_hides():
    """A provider under a hiding sanction cannot take requests: the demo leaves it out instead of failing."""
    best = make("best", tier=6, score="4.90")
    make("hidden", tier=6, score="4.95", sanction=Provider.Sanction.HIDDEN)
    make("full", tier=6, score="4.95", accepting_new_clients=False)
    for slug, tier in (("a", 5), ("b", 5), ("c", 4), ("d", 3)):
        make(slug, tier=tier, score="4.00")
    merchant, staff = UserFactory(username="demo_merchant"), provider_staff(best, role="owner")

    made = demo_inquiries(merchant=merchant, provider=best, staff=staff)

    assert sorted(Bid.objects.filter(request_id=made["open"]).values_list("provider__slug", flat=True)) == [
        "a", "b", "best", "c", "d"]
    assert not Bid.objects.filter(provider__slug__in=["hidden", "full"]).exists()


def rendered_tables(html: str) -> list[list[list[str]]]:
    return [
        [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]
        for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.DOTALL)
    ]


def test_after_the_demo_seeding_every_state_has_a_row_and_the_funnel_shows_numbers(client, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: dt.date(2026, 3, 15))
    call_command("seed_demo", providers=120, seed=1, months=3, stdout=StringIO())
    call_command("demo_accounts", password="demo-pass-1", stores=1, stdout=StringIO())

    assert set(InquiryRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(Bid.objects.values_list("status", flat=True)) == set(BidStatus.values)

    client.force_login(staff_user(GRADERS))
    response = client.get(reverse("admin:inquiries_funnel"))
    assert response.status_code == 200
    by_month, by_provider = rendered_tables(response.content.decode())
    # Invited, answered, chosen, confirmed over the months (the expired invitation was moved four days back,
    # maybe into the month before): 5 + 1 + 2 + 1 + 2 invitations, 3 + 1 + 1 + 2 answers (the closed request's
    # two refusals), 2 chosen, 1 confirmed.
    assert [sum(int(row[i]) for row in by_month) for i in (2, 3, 4, 5)] == [11, 7, 2, 1]
    demo_provider = get_user_model().objects.get(username="demo_provider").provider_memberships.get()
    assert [row[1:] for row in by_provider if row[0] == demo_provider.name] == [["3", "2", "2", "1"]]
