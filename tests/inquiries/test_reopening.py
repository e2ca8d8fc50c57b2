"""The chosen provider refuses the hire: the proposals passed over for it come back for the merchant to choose again,
audited and told; the parts that never answered stay not selected; with nothing back, the request closes."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from inquiries.models import Bid, InquiryEvent, InquiryRequest, Notification
from inquiries.services import (
    bid_accept,
    bid_confirm,
    bid_decline,
    bid_propose,
    bids_expire,
)
from tests.factories import (
    provider_staff,
)
from tests.inquiries.panel import SLUGS, ask

pytestmark = pytest.mark.django_db



def propose(panel, bid, fee=20000):
    bid_propose(bid=bid, author=panel["staff"][bid.provider.slug], monthly_fee=fee, term_months=12,
                commitments="全店运营")


def statuses(request):
    return dict(Bid.objects.filter(request=request).values_list("provider__slug", "status"))


def request_status(request):
    return InquiryRequest.objects.get(pk=request.pk).status


def events(request, action):
    return sorted(InquiryEvent.objects.filter(request=request, action=action).values_list(
        "bid__provider__slug", "from_status", "to_status", "actor", "reason"))


def notices(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", "title", "url"))


def detail(request):
    return reverse("inquiries:detail", args=[request.pk])


def test_a_refused_hire_brings_the_other_proposals_back_and_one_of_them_can_be_hired(
        panel, django_capture_on_commit_callbacks):
    request, bids = ask(panel, "alpha", "beta", "gamma")
    for bid in bids.values():
        propose(panel, bid)
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])
    assert statuses(request) == {"alpha": "accepted", "beta": "not_selected", "gamma": "not_selected"}
    Notification.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert request_status(request) == "open"
    assert statuses(request) == {"alpha": "declined", "beta": "proposed", "gamma": "proposed"}
    reason = f"the chosen provider refused the hire (part #{bids['alpha'].pk})"
    assert events(request, "reopened") == [
        ("beta", "not_selected", "proposed", panel["staff"]["alpha"].pk, reason),
        ("gamma", "not_selected", "proposed", panel["staff"]["alpha"].pk, reason)]
    for slug in ("beta", "gamma"):
        assert notices(panel["staff"][slug]) == [
            ("reopened", f"需求单 #{request.pk}：商家重新选择中，您的方案可再次被选定",
             reverse("inquiries:bid", args=[slug, bids[slug].pk]))]
    assert notices(panel["staff"]["alpha"]) == []
    assert notices(panel["merchant"]) == [
        ("reopened", f"需求单 #{request.pk}：选定的服务商未确认合作，您可以在其余方案中重新选择", detail(request))]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted([
        (panel["staff"]["beta"].email, f"【代运营服务商目录】需求单 #{request.pk}：商家重新选择中，您的方案可再次被选定"),
        (panel["staff"]["gamma"].email, f"【代运营服务商目录】需求单 #{request.pk}：商家重新选择中，您的方案可再次被选定"),
        (panel["merchant"].email,
         f"【代运营服务商目录】需求单 #{request.pk}：选定的服务商未确认合作，您可以在其余方案中重新选择")])

    bid_accept(bid=bids["gamma"], merchant=panel["merchant"])
    assert (request_status(request), statuses(request)) == (
        "hired", {"alpha": "declined", "beta": "not_selected", "gamma": "accepted"})
    engagement = bid_confirm(bid=bids["gamma"], author=panel["staff"]["gamma"])
    assert (engagement.provider, engagement.store, engagement.source) == (
        panel["providers"]["gamma"], panel["store"], "directory")
    assert statuses(request) == {"alpha": "declined", "beta": "not_selected", "gamma": "confirmed"}


def test_a_second_refusal_brings_back_what_the_second_hire_passed_over(panel):
    request, bids = ask(panel, "alpha", "beta", "gamma")
    for bid in bids.values():
        propose(panel, bid)
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    bid_accept(bid=bids["beta"], merchant=panel["merchant"])

    bid_decline(bid=bids["beta"], author=panel["staff"]["beta"], reason="团队变动")

    assert (request_status(request), statuses(request)) == (
        "open", {"alpha": "declined", "beta": "declined", "gamma": "proposed"})
    assert [slug for slug, *_rest in events(request, "reopened")] == ["beta", "gamma", "gamma"]


def test_a_refused_hire_with_no_other_proposal_closes_the_request_and_tells_the_merchant_once(
        panel, django_capture_on_commit_callbacks):
    request, bids = ask(panel, "alpha", "beta", "gamma")
    propose(panel, bids["alpha"])
    bid_decline(bid=bids["beta"], author=panel["staff"]["beta"], reason="不做该类目")
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])  # gamma never answered: not selected
    Notification.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert request_status(request) == "closed"
    assert statuses(request) == {"alpha": "declined", "beta": "declined", "gamma": "not_selected"}
    assert events(request, "reopened") == []
    assert list(InquiryEvent.objects.filter(request=request, action__in=["hire_refused", "closed"]).values_list(
        "action", "from_status", "to_status", "actor", "reason")) == [
        ("hire_refused", "hired", "open", panel["staff"]["alpha"].pk, "排期已满"),
        ("closed", "open", "closed", None,
         "the chosen provider refused the hire and no other proposal is left (2 declined, 1 not_selected)")]
    assert notices(panel["merchant"]) == [
        ("closed", f"需求单 #{request.pk} 已结束：选定的服务商未确认合作，没有其他方案可选", detail(request))]
    assert Notification.objects.exclude(user=panel["merchant"]).count() == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([panel["merchant"].email], f"【代运营服务商目录】需求单 #{request.pk} 已结束：选定的服务商未确认合作，没有其他方案可选")]
    # It no longer counts toward the open-request limit.
    assert InquiryRequest.objects.filter(merchant=panel["merchant"], status="open").count() == 0


def test_a_part_that_never_answered_stays_not_selected_and_cannot_answer_after_the_choice(panel):
    request, bids = ask(panel, "alpha", "beta", "gamma")
    propose(panel, bids["alpha"])
    propose(panel, bids["beta"])
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])  # gamma was still invited

    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert (request_status(request), statuses(request)) == (
        "open", {"alpha": "declined", "beta": "proposed", "gamma": "not_selected"})
    assert [slug for slug, *_rest in events(request, "reopened")] == ["beta"]
    assert notices(panel["staff"]["gamma"])[-1][0] == "not_selected"  # from the hire; nothing since
    # Not re-invited: no response clock runs for it, and a proposal now is refused by the transition table.
    assert bids_expire(now=bids["gamma"].invited_at + dt.timedelta(days=30)) == 0
    with pytest.raises(ValidationError) as error:
        propose(panel, bids["gamma"])
    assert error.value.messages == ["状态不能从“未选中”变为“已提交方案”。"]
    assert statuses(request)["gamma"] == "not_selected"


def test_a_passed_over_provider_cannot_put_itself_back_with_a_new_proposal(panel):
    request, bids = ask(panel, "alpha", "beta")
    propose(panel, bids["alpha"])
    propose(panel, bids["beta"])
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])

    with pytest.raises(ValidationError) as error:
        propose(panel, bids["beta"], fee=15000)

    assert error.value.messages == ["状态不能从“未选中”变为“已提交方案”。"]
    assert statuses(request) == {"alpha": "accepted", "beta": "not_selected"}


@pytest.mark.parametrize("others", [2, 4])  # 4: the most a request can have besides the chosen (panel providers)
def test_the_refusal_reads_and_writes_a_fixed_number_of_queries_whatever_the_proposals_back(
        panel, others, django_assert_num_queries):
    for slug in SLUGS[1:]:
        provider_staff(panel["providers"][slug])  # two members each: one notice each, still one insert
    request, bids = ask(panel, *SLUGS[:others + 1])
    for bid in bids.values():
        propose(panel, bid)
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])

    with django_assert_num_queries(QUERIES):
        bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")

    assert list(statuses(request).values()).count("proposed") == others
    assert Notification.objects.filter(kind="reopened").count() == 2 * others + 1


# savepoint; the part (locked) with its request and merchant; membership; the request reopened and its audit; the
# parts passed over (locked); their update and audits; their teams; their notices; the merchant's notice; the refusal
# and its audit; the closing check (savepoint, the request, its parts, release); release.
QUERIES = 18


def test_the_merchant_s_pages_say_a_refused_hire_ended_it_and_the_reopened_one_offers_the_proposals_back(
        client, panel):
    ended, bids = ask(panel, "alpha")
    propose(panel, bids["alpha"])
    bid_accept(bid=bids["alpha"], merchant=panel["merchant"])
    bid_decline(bid=bids["alpha"], author=panel["staff"]["alpha"], reason="排期已满")
    reopened, other_bids = ask(panel, "beta", "gamma")
    propose(panel, other_bids["beta"])
    propose(panel, other_bids["gamma"])
    bid_accept(bid=other_bids["beta"], merchant=panel["merchant"])
    bid_decline(bid=other_bids["beta"], author=panel["staff"]["beta"], reason="排期已满")
    client.force_login(panel["merchant"])

    page = client.get(detail(ended)).content.decode()
    listing = client.get(reverse("inquiries:list")).content.decode()
    again = client.get(detail(reopened)).content.decode()

    assert f"需求单 #{ended.pk} · 已结束</h1>" in page
    assert "选定的服务商未确认合作，也没有其他方案可选，这个需求单已自动结束，不再占用进行中的名额。" in page
    assert "邀请的服务商都已婉拒或超时未回复" not in page
    assert listing.count("选定的服务商未确认合作，没有其他方案可选。") == 1
    assert "邀请的服务商都已婉拒或超时未回复。" not in listing
    assert f"需求单 #{reopened.pk} · 征集方案中</h1>" in again
    assert again.count("选定此方案") == 1  # gamma's proposal, chosen again from here
    assert reverse("inquiries:accept", args=[reopened.pk, other_bids["gamma"].pk]) in again

    english = client.get(detail(ended), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("The provider you chose did not confirm and no other proposal is left, so this request has ended by "
            "itself and no longer counts toward your open requests.") in english
