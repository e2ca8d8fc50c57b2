"""A request ends by itself (已结束) once every invited provider declined or let the invitation expire, or the chosen
one refused the hire with no other proposal to come back: audited as the system's move, the merchant told once, the
open-request limit freed; a request with a proposal still to choose never does."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from inquiries.models import InquiryEvent, InquiryRequest, Notification
from inquiries.services import (
    bid_accept, bid_decline, bid_propose, bids_expire, request_create, requests_close_if_finished,
)
from inquiries.states import request_finished
from tests.factories import StoreFactory, category, merchant_of, platform, provider_staff, service
from tests.inquiries.test_flow import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    providers = {slug: make(slug, tier=5, score="4.50") for slug in ("alpha", "beta", "gamma")}
    staff = {slug: provider_staff(p, role="owner") for slug, p in providers.items()}
    store = StoreFactory(platform=platform("tmall"), category=category("beauty"))
    return {"providers": providers, "staff": staff, "store": store, "merchant": merchant_of(store)}


def ask(trio, *slugs):
    request = request_create(
        merchant=trio["merchant"], platform=platform("tmall"), category=category("beauty"), store=trio["store"],
        services=[service("operation")], budget_min=20000, budget_max=40000, start_month=dt.date(2027, 1, 1),
        term_months=12, description="需要全店代运营。", provider_ids=[trio["providers"][s].pk for s in slugs])
    return request, {bid.provider.slug: bid for bid in request.bids.select_related("provider")}


def status(request):
    return InquiryRequest.objects.get(pk=request.pk).status


def closing_events(request):
    return list(InquiryEvent.objects.filter(request=request, action="closed").values_list(
        "bid", "from_status", "to_status", "actor", "reason"))


def merchant_notices(trio):
    return list(Notification.objects.filter(user=trio["merchant"]).values_list("kind", "title", "url"))


def test_when_every_invited_provider_declines_the_request_closes_once_and_the_merchant_is_told(
        trio, django_capture_on_commit_callbacks):
    request, bids = ask(trio, "alpha", "beta")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")
    # beta can still answer: the request stays open and nobody is told anything yet.
    assert status(request) == "open" and closing_events(request) == [] and merchant_notices(trio) == []

    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["beta"], author=trio["staff"]["beta"], reason="不做该类目")

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None, "all invited providers declined or did not answer (2 declined)")]
    assert merchant_notices(trio) == [
        ("closed", f"需求单 #{request.pk} 已结束：邀请的服务商都已婉拒或超时未回复",
         reverse("inquiries:detail", args=[request.pk]))]
    assert [m.subject for m in mail.outbox] == [
        f"【代运营服务商目录】需求单 #{request.pk} 已结束：邀请的服务商都已婉拒或超时未回复"]
    assert mail.outbox[0].to == [trio["merchant"].email]


def test_the_last_pending_invitation_expiring_in_the_sweep_closes_it_and_a_second_sweep_changes_nothing(trio):
    request, bids = ask(trio, "alpha", "beta")
    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")
    later = bids["beta"].invited_at + dt.timedelta(days=3, minutes=1)

    assert bids_expire(now=later) == 1

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None, "all invited providers declined or did not answer (1 declined, 1 expired)")]
    assert [kind for kind, _title, _url in merchant_notices(trio)] == ["closed"]
    events, notices = InquiryEvent.objects.count(), Notification.objects.count()
    assert bids_expire(now=later + dt.timedelta(days=1)) == 0
    assert requests_close_if_finished(request_ids=[request.pk]) == []
    assert (InquiryEvent.objects.count(), Notification.objects.count(), status(request)) == (events, notices, "closed")


def test_a_request_with_an_invitation_still_pending_or_a_proposal_stays_open(trio):
    waiting, bids = ask(trio, "alpha", "beta")
    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")
    proposed, other_bids = ask(trio, "alpha", "gamma")
    bid_propose(bid=other_bids["gamma"], author=trio["staff"]["gamma"], monthly_fee=20000, term_months=12,
                commitments="全店运营")

    # alpha's invitation on the second request expires; gamma's proposal there waits for the merchant.
    assert bids_expire(now=other_bids["alpha"].invited_at + dt.timedelta(days=2)) == 0
    assert bids_expire(now=other_bids["alpha"].invited_at + dt.timedelta(days=3, minutes=1)) == 2  # and beta's
    assert status(proposed) == "open" and closing_events(proposed) == []
    # beta's expiry ended the first request's last invitation: that one is closed.
    assert status(waiting) == "closed"


def test_a_request_with_a_chosen_proposal_is_never_closed_by_this(trio):
    request, bids = ask(trio, "alpha", "beta", "gamma")
    for slug in ("alpha", "gamma"):
        bid_propose(bid=bids[slug], author=trio["staff"][slug], monthly_fee=20000, term_months=12,
                    commitments="全店运营")
    bid_accept(bid=bids["alpha"], merchant=trio["merchant"])
    assert requests_close_if_finished(request_ids=[request.pk]) == []
    assert status(request) == "hired"

    # The chosen provider refuses the hire: gamma's proposal comes back for the merchant (beta never answered and
    # stays not selected), so the request is open, not closed.
    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")
    assert status(request) == "open" and closing_events(request) == []
    assert sorted(request.bids.values_list("provider__slug", "status")) == [
        ("alpha", "declined"), ("beta", "not_selected"), ("gamma", "proposed")]


def test_a_refused_hire_with_no_proposal_to_come_back_closes_the_request(trio):
    request, bids = ask(trio, "alpha", "beta")
    bid_propose(bid=bids["alpha"], author=trio["staff"]["alpha"], monthly_fee=20000, term_months=12,
                commitments="全店运营")
    bid_accept(bid=bids["alpha"], merchant=trio["merchant"])

    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None,
         "the chosen provider refused the hire and no other proposal is left (1 declined, 1 not_selected)")]
    assert [(kind, title) for kind, title, _url in merchant_notices(trio) if kind == "closed"] == [
        ("closed", f"需求单 #{request.pk} 已结束：选定的服务商未确认合作，没有其他方案可选")]


def test_a_closed_request_frees_its_place_under_the_open_request_limit(trio):
    first, bids = ask(trio, "alpha")
    ask(trio, "beta")
    ask(trio, "gamma")
    with pytest.raises(ValidationError) as error:
        ask(trio, "alpha")
    assert error.value.messages == ["最多同时保留 3 个进行中的需求单，请先结束或撤回一个。"]

    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")

    assert status(first) == "closed"
    fourth, _bids = ask(trio, "alpha")
    assert status(fourth) == "open"
    assert InquiryRequest.objects.filter(merchant=trio["merchant"], status="open").count() == 3


def test_the_closing_check_reads_a_fixed_number_of_queries_whatever_the_requests(trio, django_assert_num_queries):
    requests = [ask(trio, "alpha", "beta")[0] for _ in range(3)]
    with django_assert_num_queries(4):  # savepoint, the open requests (locked), their parts, release
        assert requests_close_if_finished(request_ids=[requests[0].pk]) == []
    with django_assert_num_queries(4):
        assert requests_close_if_finished(request_ids=[r.pk for r in requests]) == []


@pytest.mark.parametrize(("parts", "finished"), [
    ([("declined", False), ("expired", False)], True),
    ([("expired", False)], True),
    ([("declined", False), ("invited", False)], False),
    ([("declined", False), ("proposed", True)], False),
    ([("declined", True)], True),  # a refused hire, nothing else was there
    ([("declined", True), ("not_selected", False)], True),  # the other never answered: nothing to choose
    ([("declined", True), ("proposed", True)], False),  # a proposal came back for the merchant
    ([("declined", True), ("not_selected", True)], False),  # a proposal passed over, choosable again
    ([("declined", True), ("accepted", True)], False),  # chosen again: waiting for that provider
    ([("confirmed", True)], False),
    ([], False),
])
def test_request_finished(parts, finished):
    assert request_finished(parts) is finished


def test_the_merchant_s_pages_say_it_ended_and_offer_a_new_request(client, trio):
    request, bids = ask(trio, "alpha")
    bid_decline(bid=bids["alpha"], author=trio["staff"]["alpha"], reason="排期已满")
    client.force_login(trio["merchant"])

    detail = client.get(reverse("inquiries:detail", args=[request.pk])).content.decode()
    listing = client.get(reverse("inquiries:list")).content.decode()

    assert f"需求单 #{request.pk} · 已结束</h1>" in detail
    assert "邀请的服务商都已婉拒或超时未回复，这个需求单已自动结束，不再占用进行中的名额。" in detail
    assert f'<a class="button button--small" href="{reverse("inquiries:create")}">发新的需求单</a>' in detail
    assert "撤回需求" not in detail
    assert "已结束 · " in listing and "邀请的服务商都已婉拒或超时未回复。" in listing
    assert listing.count(f'href="{reverse("inquiries:create")}"') == 2  # the header's 获取方案 and this one
