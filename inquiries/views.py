"""Pages of the inquiry flow: the merchant's requests and proposals, and the provider's inbox in the portal."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import verified_account_required
from providers.access import provider_membership, role_at_least, user_memberships
from providers.models import Membership
from ratings.forms import add_service_errors
from . import notifications, services
from .forms import DeclineForm, MessageForm, ProposalForm, RequestForm
from .models import Bid, InquiryRequest, Message, Notification, PromiseReport
from .promises import guarantee_phrases
from .selectors import contacts_visible, merchant_requests, provider_bids, thread_text
from .states import BidStatus, RequestStatus, hire_refused


def _merchant_request(request, pk: int) -> InquiryRequest:
    """The signed-in merchant's own request; anyone else's is a 404."""
    return get_object_or_404(InquiryRequest.objects.select_related("platform", "category", "store"),
                             pk=pk, merchant=request.user)


def _thread(bid: Bid, reported: frozenset = frozenset()) -> list[dict]:
    """The messages of one provider's part, as the other side may read them, each with its guarantee phrases and
    whether the reader already reported it (`reported`: the ids of the messages they reported)."""
    return [{"message": m, "text": thread_text(bid, m.body), "phrases": guarantee_phrases(m.body),
             "reported": m.pk in reported}
            for m in bid.messages.all()]


@login_required
@verified_account_required
def request_create_view(request):
    form = RequestForm(request.POST or None, merchant=request.user,
                       invited_slugs=request.GET.getlist("provider"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                merchant=request.user, platform=data["platform"], category=data["category"],
                store=data["store"], new_store_name=data["new_store_name"], services=list(data["services"]),
                budget_min=data["budget_min"], budget_max=data["budget_max"],
                start_month=dt.date.fromisoformat(data["start_month"]),
                term_months=data["term_months"], description=data["description"],
                provider_ids=[p.pk for p in data["providers"]], suggest=data["suggest"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            messages.success(request, _("需求已发出，服务商将在 3 天内回复。"))
            return redirect("inquiries:detail", pk=created.pk)
    return render(request, "inquiries/request_form.html", {"form": form})


@login_required
@require_safe
def request_list_view(request):
    page = Paginator(merchant_requests(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "inquiries/request_list.html", {"page_obj": page})


@login_required
@require_safe
def request_detail_view(request, pk: int):
    inquiry = _merchant_request(request, pk)
    bids = list(
        inquiry.bids.select_related("provider", "proposal", "engagement").prefetch_related(
            "proposal__services", Prefetch("messages", queryset=Message.objects.order_by("created_at", "pk")),
            # What the merchant already reported, so a report is offered once (a second would write nothing).
            Prefetch("reports", queryset=PromiseReport.objects.filter(reporter=request.user).only(
                "pk", "bid_id", "message_id"), to_attr="my_reports"))
    )
    rows = []
    for bid in bids:
        proposal = getattr(bid, "proposal", None)
        reported = {report.message_id for report in bid.my_reports}
        rows.append({
            "bid": bid, "proposal": proposal, "thread": _thread(bid, frozenset(reported - {None})),
            "reported": None in reported, "contacts": contacts_visible(bid),
            "commitments": proposal and thread_text(bid, proposal.commitments),
            "note": proposal and thread_text(bid, proposal.message),
            "phrases": guarantee_phrases(proposal.commitments, proposal.message) if proposal else [],
        })
    proposals = [row for row in rows if row["proposal"]]
    lowest_fee = min((row["proposal"].monthly_fee for row in proposals), default=None)
    return render(request, "inquiries/request_detail.html", {
        "inquiry": inquiry, "rows": rows, "proposals": proposals, "lowest_fee": lowest_fee,
        "message_form": MessageForm(), "can_accept": inquiry.status == RequestStatus.OPEN,
        "closed": inquiry.status == RequestStatus.CLOSED,
        "hire_refused": hire_refused([(bid.status, getattr(bid, "proposal", None) is not None) for bid in bids]),
    })


def _merchant_action(request, pk: int, bid_pk: int | None, action, success: str):
    inquiry = _merchant_request(request, pk)
    bid = get_object_or_404(Bid, pk=bid_pk, request=inquiry) if bid_pk else None
    try:
        action(inquiry, bid)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("inquiries:detail", pk=inquiry.pk)


@login_required
@verified_account_required
@require_POST
def bid_accept_view(request, pk: int, bid_pk: int):
    return _merchant_action(request, pk, bid_pk, lambda _inquiry, bid: services.bid_accept(
        bid=bid, merchant=request.user), _("已选定该方案，等待服务商确认合作。"))


@login_required
@verified_account_required
@require_POST
def request_withdraw_view(request, pk: int):
    return _merchant_action(request, pk, None, lambda inquiry, _bid: services.request_withdraw(
        request=inquiry, merchant=request.user), _("需求已撤回。"))


@login_required
@verified_account_required
@require_POST
def promise_report_view(request, pk: int, bid_pk: int):
    inquiry = _merchant_request(request, pk)
    message = None
    if request.POST.get("message"):
        message = get_object_or_404(Message, pk=request.POST["message"], bid__request=inquiry, bid_id=bid_pk)
    return _merchant_action(request, pk, bid_pk, lambda _inquiry, bid: services.promise_report(
        bid=bid, reporter=request.user, message=message), _("已举报，审核员会处理。谢谢！"))


@login_required
@verified_account_required
@require_POST
def merchant_message_view(request, pk: int, bid_pk: int):
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("消息不能为空。"))
        return redirect("inquiries:detail", pk=pk)
    return _merchant_action(request, pk, bid_pk, lambda _inquiry, bid: services.message_post(
        bid=bid, author=request.user, body=form.cleaned_data["body"]), _("消息已发送。"))


# The provider's side, under /portal/<slug>/requests/: every page checks the membership first.

def _portal_frame(request, membership) -> dict:
    """What the portal's frame (templates/portal/base.html) shows: the team, the switcher, the sections."""
    return {"provider": membership.provider, "membership": membership, "section": "requests",
            "memberships": user_memberships(user=request.user),
            "can_see_team": role_at_least(membership.role, Membership.Role.MANAGER)}


@login_required
@require_safe
def inbox_view(request, slug: str):
    membership = provider_membership(user=request.user, slug=slug)
    bids = provider_bids(provider=membership.provider)
    status = request.GET.get("status", "")
    if status in BidStatus.values:
        bids = bids.filter(status=status)
    page = Paginator(bids, 20).get_page(request.GET.get("page"))
    return render(request, "inquiries/inbox.html", {
        **_portal_frame(request, membership), "page_obj": page, "status": status, "statuses": BidStatus.choices,
    })


def _provider_bid(request, slug: str, bid_pk: int) -> tuple[Bid, object]:
    membership = provider_membership(user=request.user, slug=slug)
    bid = (Bid.objects.select_related("request__platform", "request__category", "request__store", "provider")
           .filter(pk=bid_pk, provider=membership.provider).first())
    if bid is None:
        raise Http404
    return bid, membership


@login_required
def bid_detail_view(request, slug: str, bid_pk: int):
    bid, membership = _provider_bid(request, slug, bid_pk)
    proposal_form = ProposalForm(request.POST or None, initial={"term_months": bid.request.term_months})
    if request.method == "POST" and proposal_form.is_valid():
        data = proposal_form.cleaned_data
        try:
            services.bid_propose(bid=bid, author=request.user, monthly_fee=data["monthly_fee"],
                                 setup_fee=data["setup_fee"], commission_pct=data["commission_pct"],
                                 services=list(data["services"]), term_months=data["term_months"],
                                 commitments=data["commitments"], message=data["message"])
        except ValidationError as error:
            add_service_errors(proposal_form, error)
        else:
            messages.success(request, _("方案已提交给商家。"))
            return redirect("inquiries:bid", slug=slug, bid_pk=bid.pk)
    bid = Bid.objects.prefetch_related("request__services", "messages").select_related(
        "request__platform", "request__category", "request__store", "request__merchant", "engagement").get(pk=bid.pk)
    proposal = getattr(bid, "proposal", None)
    return render(request, "inquiries/bid_detail.html", {
        **_portal_frame(request, membership), "bid": bid, "inquiry": bid.request,
        # The merchant's own words, masked like the thread until acceptance (a phone typed into the needs).
        "description": thread_text(bid, bid.request.description),
        "proposal": proposal, "contacts": contacts_visible(bid), "thread": _thread(bid),
        "proposal_form": proposal_form, "decline_form": DeclineForm(), "message_form": MessageForm(),
        "can_propose": bid.status == BidStatus.INVITED,
        "phrases": guarantee_phrases(proposal.commitments, proposal.message) if proposal else [],
    })


def _provider_action(request, slug: str, bid_pk: int, action, success: str):
    bid, _membership = _provider_bid(request, slug, bid_pk)
    try:
        action(bid)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("inquiries:bid", slug=slug, bid_pk=bid.pk)


@login_required
@verified_account_required
@require_POST
def bid_decline_view(request, slug: str, bid_pk: int):
    reason = request.POST.get("reason", "")
    return _provider_action(request, slug, bid_pk, lambda bid: services.bid_decline(
        bid=bid, author=request.user, reason=reason), _("已婉拒此需求。"))


@login_required
@verified_account_required
@require_POST
def bid_confirm_view(request, slug: str, bid_pk: int):
    return _provider_action(request, slug, bid_pk, lambda bid: services.bid_confirm(
        bid=bid, author=request.user), _("合作已确认，双方核验的合作记录已建立。"))


@login_required
@verified_account_required
@require_POST
def provider_message_view(request, slug: str, bid_pk: int):
    body = request.POST.get("body", "")
    return _provider_action(request, slug, bid_pk, lambda bid: services.message_post(
        bid=bid, author=request.user, body=body), _("消息已发送。"))


@login_required
@verified_account_required
@require_POST
def merchant_engagement_end_view(request, pk: int, bid_pk: int):
    return _merchant_action(request, pk, bid_pk, lambda _inquiry, bid: _end(request, bid), _("合作已结束。"))


@login_required
@verified_account_required
@require_POST
def provider_engagement_end_view(request, slug: str, bid_pk: int):
    return _provider_action(request, slug, bid_pk, lambda bid: _end(request, bid), _("合作已结束。"))


def _end(request, bid: Bid):
    try:
        end_date = dt.date.fromisoformat(request.POST.get("end_date", ""))
    except ValueError:
        raise ValidationError(_("结束日期格式应为 YYYY-MM-DD。")) from None
    return services.engagement_end(bid=bid, actor=request.user, end_date=end_date,
                                   reason=request.POST.get("reason", ""))


@login_required
@require_safe
def notification_list_view(request):
    page = Paginator(request.user.notifications.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    unread = {n.pk for n in page if n.read_at is None}
    response = render(request, "inquiries/notification_list.html", {"page_obj": page, "unread": unread})
    # Seen now: the header's count drops from the next page on.
    notifications.notifications_mark_read(user=request.user)
    return response


def email_opt_out_view(request, token: str):
    """A link from an e-mail: GET asks (mail scanners open links), POST turns that kind of e-mail off."""
    try:
        data = signing.loads(token, salt=notifications.OPT_OUT_SALT)
    except signing.BadSignature:
        raise Http404 from None
    kind_label = dict(Notification.Kind.choices).get(data.get("k"))
    if kind_label is None:
        raise Http404
    done = False
    if request.method == "POST":
        notifications.opt_out_apply(token)
        done = True
    return render(request, "inquiries/email_opt_out.html", {"kind": kind_label, "done": done})
