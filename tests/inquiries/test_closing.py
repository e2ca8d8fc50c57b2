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
    bid_accept,
    bid_decline,
    bid_propose,
    bids_expire,
    requests_close_if_finished,
)
from inquiries.states import request_finished
from tests.inquiries.panel import ask

pytestmark = pytest.mark.django_db


def status(request):
    return InquiryRequest.objects.get(pk=request.pk).status


def closing_events(request):
    return list(InquiryEvent.objects.filter(request=request, action="closed").values_list(
        "bid", "from_status", "to_status", "actor", "reason"))


def merchant_notices(panel):
    return list(Notification.objects.filter(user=panel["merchant"]).values_list("kind", "title", "url"))


def test_when_every_invited_provider_declines_the_request_closes_once_and_the_merchant_is_told(
        panel, django_capture_on_commit_callbacks):
    request, bids = ask(panel, "alpha", "beta")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    # beta can still answer: the request stays open and nobody is told anything yet.
    assert status(request) == "open" and closing_events(request) == [] and merchant_notices(panel) == []

    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["beta"], author=panel["staff"]["beta"], reason="不做该类目")

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None, "all invited providers declined or did not answer (2 declined)")]
    assert merchant_notices(panel) == [
        ("closed", f"需求单 #{request.pk} 已结束：邀请的服务商都已婉拒或超时未回复",
         reverse("inquiries:detail", args=[request.pk]))]
    assert [m.subject for m in mail.outbox] == [
        f"【代运营服务商目录】需求单 #{request.pk} 已结束：邀请的服务商都已婉拒或超时未回复"]
    assert mail.outbox[0].to == [panel["merchant"].email]


def test_the_last_pending_invitation_expiring_in_the_sweep_closes_it_and_a_second_sweep_changes_nothing(panel):
    request, bids = ask(panel, "alpha", "beta")
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    later = bids["beta"].invited_at + dt.timedelta(days=3, minutes=1)

    assert bids_expire(now=later) == 1

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None, "all invited providers declined or did not answer (1 declined, 1 expired)")]
    assert [kind for kind, _title, _url in merchant_notices(panel)] == ["closed"]
    events, notices = InquiryEvent.objects.count(), Notification.objects.count()
    assert bids_expire(now=later + dt.timedelta(days=1)) == 0
    assert requests_close_if_finished(request_ids=[request.pk]) == []
    assert (InquiryEvent.objects.count(), Notification.objects.count(), status(request)) == (events, notices, "closed")


def test_a_request_with_an_invitation_still_pending_or_a_proposal_stays_open(panel):
    waiting, bids = ask(panel, "alpha", "beta")
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    proposed, other_bids = ask(panel, "alpha", "gamma")
    bid_propose(bid=other_bids["gamma"], author=panel["staff"]["gamma"], monthly_fee=20000, term_months=12,
                commitments="全店运营")

    # alpha's invitation on the second request expires; gamma's proposal there waits for the merchant.
    assert bids_expire(now=other_bids["alpha"].invited_at + dt.timedelta(days=2)) == 0
    assert bids_expire(now=other_bids["alpha"].invited_at + dt.timedelta(days=3, minutes=1)) == 2  # and beta's
    assert status(proposed) == "open" and closing_events(proposed) == []
    # beta's expiry ended the first request's last invitation: that one is closed.
    assert status(waiting) == "closed"


def test_a_request_with_a_chosen_proposal_is_never_closed_by_this(panel):
    request, bids = ask(panel, "alpha", "beta", "gamma")
    for slug in ("alpha", "gamma"):
        bid_propose(bid=bids[slug], author=panel["staff"][slug], monthly_fee=20000, term_months=12,
                    commitments="全店运营")
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])
    assert requests_close_if_finished(request_ids=[request.pk]) == []
    assert status(request) == "hired"

    # The chosen provider refuses the hire: gamma's proposal comes back for the merchant (beta never answered and
    # stays not selected), so the request is open, not closed.
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    assert status(request) == "open" and closing_events(request) == []
    assert sorted(request.bids.values_list("provider__slug", "status")) == [
        ("alpha", "declined"), ("beta", "not_selected"), ("gamma", "proposed")]


def test_a_refused_hire_with_no_proposal_to_come_back_closes_the_request(panel):
    request, bids = ask(panel, "alpha", "beta")
    bid_propose(bid=bids["alpha"], author=panel["staff"]["alpha"], monthly_fee=20000, term_months=12,
                commitments="全店运营")
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])

    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert status(request) == "closed"
    assert closing_events(request) == [
        (None, "open", "closed", None,
         "the chosen provider refused the hire and no other proposal is left (1 declined, 1 not_selected)")]
    assert [(kind, title) for kind, title, _url in merchant_notices(panel) if kind == "closed"] == [
        ("closed", f"需求单 #{request.pk} 已结束：选定的服务商未确认合作，没有其他方案可选")]


def test_a_closed_request_frees_its_place_under_the_open_request_limit(panel):
    first, bids = ask(panel, "alpha")
    ask(panel, "beta")
    ask(panel, "gamma")
    with pytest.raises(ValidationError) as error:
        ask(panel, "alpha")
    assert error.value.messages == ["最多同时保留 3 个进行中的需求单，请先结束或撤回一个。"]

    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert status(first) == "closed"
    fourth, _bids = ask(panel, "alpha")
    assert status(fourth) == "open"
    assert InquiryRequest.objects.filter(merchant=panel["merchant"], status="open").count() == 3


def test_the_closing_check_reads_a_fixed_number_of_queries_whatever_the_requests(panel, django_assert_num_queries):
    requests = [ask(panel, "alpha", "beta")[0] for _ in range(3)]
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


def test_the_merchant_s_pages_say_it_ended_and_offer_a_new_request(client, panel):
    request, bids = ask(panel, "alpha")
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    client.force_login(panel["merchant"])

    detail = client.get(reverse("inquiries:detail", args=[request.pk])).content.decode()
    listing = client.get(reverse("inquiries:list")).content.decode()

    assert f"需求单 #{request.pk} · 已结束</h1>" in detail
    assert "邀请的服务商都已婉拒或超时未回复，这个需求单已自动结束，不再占用进行中的名额。" in detail
    assert f'<a class="button button--small" href="{reverse("inquiries:create")}">发新的需求单</a>' in detail
    assert "撤回需求" not in detail
    assert "已结束 · " in listing and "邀请的服务商都已婉拒或超时未回复。" in listing
    assert listing.count(f'href="{reverse("inquiries:create")}"') == 2  # the header's 获取方案 and this one
