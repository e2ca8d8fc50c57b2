"""Every write of the inquiry flow: one transaction each, every status move through states.advance, audited."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conduct.models import Violation
from conduct.services import violation_record
from providers.cache import directory_cache_bump
from providers.models import Engagement, Membership, Provider, Store

from .models import Bid, InquiryEvent, InquiryRequest, Message, Notification, PromiseReport, Proposal, ReviewInvitation
from .notifications import notify, notify_each
from .promises import guarantee_phrases
from .selectors import SUGGESTION_LIMIT, providers_matching_needs, providers_suggested, response_deadline
from .states import (
    BID_MOVES, BID_REOPEN_MOVES, BID_TALKING, REQUEST_MOVES, BidStatus, RequestStatus, advance, hire_refused,
    request_finished,
)

MAX_PROVIDERS = 5
MAX_OPEN_REQUESTS = 3
MAX_REQUESTS_PER_DAY = 10
CLOSED_REASON = "all invited providers declined or did not answer"
CLOSED_REFUSED_REASON = "the chosen provider refused the hire and no other proposal is left"
REOPENED_REASON = "the chosen provider refused the hire"


def _audit(request: InquiryRequest, action: str, *, actor=None, bid: Bid | None = None, from_status: str = "",
           to_status: str = "", reason: str = "") -> None:
    InquiryEvent.objects.create(request=request, bid=bid, action=action, actor=actor, from_status=from_status,
                                to_status=to_status, reason=reason[:500])


def _move_bid(bid: Bid, target: str, *, actor, action: str, reason: str = "") -> None:
    previous = advance(bid, target, table=BID_MOVES, labels=BidStatus)
    bid.save(update_fields=["status", "responded_at", "decline_reason", "engagement"])
    _audit(bid.request, action, actor=actor, bid=bid, from_status=previous, to_status=target, reason=reason)


def _move_request(request: InquiryRequest, target: str, *, actor, action: str, reason: str = "") -> None:
    previous = advance(request, target, table=REQUEST_MOVES, labels=RequestStatus)
    request.save(update_fields=["status"])
    _audit(request, action, actor=actor, from_status=previous, to_status=target, reason=reason)


def _team(provider_id: int):
    return get_user_model().objects.filter(provider_roles__provider_id=provider_id, is_active=True)


def _tell_team(bid: Bid, kind: str, title: str) -> None:
    url = reverse("inquiries:bid", args=[bid.provider.slug, bid.pk])
    notify(users=list(_team(bid.provider_id)), kind=kind, title=title, url=url)


def _tell_merchant(request: InquiryRequest, kind: str, title: str) -> None:
    notify(users=[request.merchant], kind=kind, title=title, url=reverse("inquiries:detail", args=[request.pk]))


def _announce(event_type: str, bid_ids: list[int]) -> None:
    """After commit, hand a lead event to the tasks named in INQUIRY_EVENT_TASKS (settings wire partners' webhooks).

    By name: inquiries sits below the partner API and imports none of it.
    """
    def send():
        for name in settings.INQUIRY_EVENT_TASKS:
            current_app.tasks[name].delay(event_type, bid_ids)

    transaction.on_commit(send)


def _require_member(bid: Bid, user) -> None:
    if not Membership.objects.filter(provider_id=bid.provider_id, user=user).exists():
        raise PermissionDenied(_("只有该服务商的团队成员可以回复此需求。"))


def _require_merchant(request: InquiryRequest, user) -> None:
    if request.merchant_id != user.pk:
        raise PermissionDenied(_("只有发出需求的商家可以这样做。"))


def _check_limits(merchant, now: dt.datetime) -> None:
    mine = InquiryRequest.objects.filter(merchant=merchant)
    if mine.filter(status=RequestStatus.OPEN).count() >= MAX_OPEN_REQUESTS:
        raise ValidationError(
            _("最多同时保留 %(n)d 个进行中的需求单，请先结束或撤回一个。") % {"n": MAX_OPEN_REQUESTS}, code="open_limit"
        )
    if mine.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= MAX_REQUESTS_PER_DAY:
        raise ValidationError(
            _("24 小时内最多发出 %(n)d 个需求单，请稍后再试。") % {"n": MAX_REQUESTS_PER_DAY}, code="daily_limit"
        )


@transaction.atomic
def request_create(*, merchant, platform, category, services, budget_min: int, budget_max: int,
                   start_month: dt.date, term_months: int, description: str, store: Store | None = None,
                   new_store_name: str = "", provider_ids=(), suggest: bool = False) -> InquiryRequest:
    """A merchant's request, sent to the providers they chose and (with suggest) the directory's best matches."""
    now = timezone.now()
    _check_limits(merchant, now)
    if store is not None and not store.merchants.filter(pk=merchant.pk).exists():
        raise PermissionDenied(_("只能为自己已核验的店铺发需求。"))
    if store is not None and store.platform_id != platform.pk:
        raise ValidationError({"store": _("店铺不在所选平台上。")})
    if store is None and not new_store_name.strip():
        raise ValidationError({"new_store_name": _("请选择一个已核验的店铺，或填写新店名称。")})
    chosen = list(dict.fromkeys(provider_ids))
    if len(chosen) > MAX_PROVIDERS:
        raise ValidationError({"providers": _("最多邀请 %(n)d 家服务商。") % {"n": MAX_PROVIDERS}})
    if not chosen and not suggest:
        raise ValidationError({"providers": _("请至少选择一家服务商，或让目录推荐。")})
    request = InquiryRequest(
        merchant=merchant, platform=platform, category=category, store=store,
        new_store_name="" if store else new_store_name.strip(), budget_min=budget_min, budget_max=budget_max,
        start_month=start_month.replace(day=1), term_months=term_months, description=description.strip(),
    )
    request.full_clean()
    request.save()
    request.services.set(services)
    # Only providers that could take it: listed, accepting new clients (the suggestion's own rule).
    takeable = set(
        providers_matching_needs(platform=platform, category=category, services=[], budget_min=None,
                                 budget_max=None).filter(pk__in=chosen).values_list("pk", flat=True)
    ) if chosen else set()
    refused = [pk for pk in chosen if pk not in takeable]
    if refused:
        names = ", ".join(Provider.objects.filter(pk__in=refused).order_by("name").values_list("name", flat=True))
        raise ValidationError({"providers": _("这些服务商目前不接受该平台、类目的新需求：%(names)s") % {"names": names}})
    bids = [Bid(request=request, provider_id=pk) for pk in chosen]
    if suggest and len(chosen) < MAX_PROVIDERS:
        suggested = providers_suggested(platform=platform, category=category, services=list(services),
                                        budget_min=budget_min, budget_max=budget_max, exclude_ids=chosen,
                                        limit=min(SUGGESTION_LIMIT, MAX_PROVIDERS - len(chosen)))
        bids += [Bid(request=request, provider=p, suggested=True, match_reasons=why) for p, why in suggested]
    if not bids:
        raise ValidationError({"providers": _("没有符合这些条件的服务商，请放宽预算或服务要求。")})
    Bid.objects.bulk_create(bids)
    for bid in Bid.objects.filter(request=request).select_related("provider"):
        _tell_team(bid, Notification.Kind.NEW_REQUEST, _("新需求单 #%(pk)d，请在 %(days)d 天内回复") % {
            "pk": request.pk, "days": settings.INQUIRY_RESPONSE_DAYS})
    _announce("inquiry.created", [bid.pk for bid in request.bids.all()])
    _audit(request, "created", actor=merchant, to_status=RequestStatus.OPEN,
           reason=f"{len(bids)} providers ({sum(b.suggested for b in bids)} suggested)")
    return request


@transaction.atomic
def bid_propose(*, bid: Bid, author, monthly_fee: int, term_months: int, commitments: str, setup_fee: int = 0,
                commission_pct=None, services=(), message: str = "") -> Proposal:
    bid = Bid.objects.select_for_update().select_related("request").get(pk=bid.pk)
    _require_member(bid, author)
    proposal = Proposal(bid=bid, monthly_fee=monthly_fee, setup_fee=setup_fee, commission_pct=commission_pct,
                        term_months=term_months, commitments=commitments.strip(), message=message.strip(),
                        author=author)
    proposal.full_clean(exclude=["bid"])
    bid.responded_at = bid.responded_at or timezone.now()
    _move_bid(bid, BidStatus.PROPOSED, actor=author, action="proposed")
    proposal.save()
    proposal.services.set(services)
    transaction.on_commit(directory_cache_bump)  # the provider page's response statistics
    _tell_merchant(bid.request, Notification.Kind.PROPOSAL, _("需求单 #%(pk)d 收到一份新方案") % {"pk": bid.request_id})
    return proposal


@transaction.atomic
def bid_decline(*, bid: Bid, author, reason: str) -> Bid:
    bid = Bid.objects.select_for_update(of=("self", "request")).select_related("request__merchant").get(pk=bid.pk)
    _require_member(bid, author)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明婉拒的理由。")})
    if bid.status == BidStatus.INVITED:
        bid.responded_at = timezone.now()
    elif bid.status == BidStatus.ACCEPTED:
        # The chosen provider does not confirm: the merchant chooses again among the proposals passed over for it;
        # with none, the closing check below ends the request.
        _move_request(bid.request, RequestStatus.OPEN, actor=author, action="hire_refused", reason=reason)
        _parts_reopen(bid.request, refused=bid, actor=author)
    bid.decline_reason = reason.strip()
    _move_bid(bid, BidStatus.DECLINED, actor=author, action="declined", reason=reason)
    requests_close_if_finished(request_ids=[bid.request_id])
    transaction.on_commit(directory_cache_bump)
    return bid


def _parts_reopen(request: InquiryRequest, *, refused: Bid, actor) -> list[Bid]:
    """The proposals the refused hire passed over come back (not_selected → proposed), audited, their providers and
    the merchant told; returns them. A fixed number of queries whatever their number; one when nothing comes back.

    Only parts holding a proposal: those invited when the merchant chose never answered, and stay not_selected;
    inviting them again would restart the response clock (INQUIRY_RESPONSE_DAYS) on a request already decided once.
    Every not_selected part with a proposal was passed over by this hire: an earlier refusal brought all of them back.
    """
    parts = list(request.bids.select_for_update(of=("self",)).select_related("provider").filter(
        status=BidStatus.NOT_SELECTED, proposal__isnull=False).exclude(pk=refused.pk))
    if not parts:
        return []
    reason = f"{REOPENED_REASON} (part #{refused.pk})"
    events = []
    for part in parts:
        previous = advance(part, BidStatus.PROPOSED, table=BID_REOPEN_MOVES, labels=BidStatus)
        events.append(InquiryEvent(request=request, bid=part, action="reopened", actor=actor, from_status=previous,
                                   to_status=BidStatus.PROPOSED, reason=reason))
    Bid.objects.filter(pk__in=[part.pk for part in parts]).update(status=BidStatus.PROPOSED)
    InquiryEvent.objects.bulk_create(events)
    links = {part.provider_id: reverse("inquiries:bid", args=[part.provider.slug, part.pk]) for part in parts}
    members = Membership.objects.filter(provider_id__in=links, user__is_active=True).select_related("user")
    notify_each(to=[(m.user, links[m.provider_id]) for m in members], kind=Notification.Kind.REOPENED,
                title=_("需求单 #%(pk)d：商家重新选择中，您的方案可再次被选定") % {"pk": request.pk})
    _tell_merchant(request, Notification.Kind.REOPENED,
                   _("需求单 #%(pk)d：选定的服务商未确认合作，您可以在其余方案中重新选择") % {"pk": request.pk})
    return parts


@transaction.atomic
def message_post(*, bid: Bid, author, body: str) -> Message:
    bid = Bid.objects.select_related("request").get(pk=bid.pk)
    from_provider = bid.request.merchant_id != author.pk
    if from_provider:
        _require_member(bid, author)
    if bid.status not in BID_TALKING:
        raise ValidationError(_("此需求已结束，不能再发消息。"))
    if not body.strip():
        raise ValidationError({"body": _("消息不能为空。")})
    message = Message(bid=bid, author=author, from_provider=from_provider, body=body.strip())
    message.full_clean()
    message.save()
    title = _("需求单 #%(pk)d 有新消息") % {"pk": bid.request_id}
    if from_provider:
        _tell_merchant(bid.request, Notification.Kind.MESSAGE, title)
    else:
        _tell_team(Bid.objects.select_related("provider").get(pk=bid.pk), Notification.Kind.MESSAGE, title)
    return message


@transaction.atomic
def bid_accept(*, bid: Bid, merchant) -> Bid:
    """The merchant hires this provider: its part waits for the provider's confirmation, the others are told."""
    bid = Bid.objects.select_for_update().select_related("request").get(pk=bid.pk)
    request = InquiryRequest.objects.select_for_update().get(pk=bid.request_id)
    _require_merchant(request, merchant)
    _move_request(request, RequestStatus.HIRED, actor=merchant, action="hired")
    _move_bid(bid, BidStatus.ACCEPTED, actor=merchant, action="accepted")
    for other in request.bids.select_for_update().select_related("provider").filter(
            status__in=[BidStatus.INVITED, BidStatus.PROPOSED]):
        _move_bid(other, BidStatus.NOT_SELECTED, actor=merchant, action="not_selected")
        _tell_team(other, Notification.Kind.NOT_SELECTED,
                   _("需求单 #%(pk)d：商家选择了其他方案，感谢您的回复") % {"pk": request.pk})
    bid = Bid.objects.select_related("provider", "request").get(pk=bid.pk)
    _tell_team(bid, Notification.Kind.ACCEPTED, _("需求单 #%(pk)d：商家选定了您的方案，请确认合作") % {"pk": request.pk})
    return bid


@transaction.atomic
def bid_confirm(*, bid: Bid, author) -> Engagement:
    """The provider confirms the hire: the engagement starts, verified by both sides (source: directory)."""
    bid = Bid.objects.select_for_update().select_related("request__merchant", "request__platform").get(pk=bid.pk)
    _require_member(bid, author)
    request = bid.request
    store = request.store
    if store is None:
        # A store still to open: recorded now, owned by the merchant, under an id of our own until the platform's.
        store = Store.objects.create(platform=request.platform, external_id=f"directory-{request.pk}",
                                     name=request.new_store_name, category=request.category)
        store.merchants.add(request.merchant)
    engagement = Engagement.objects.create(provider_id=bid.provider_id, store=store, start_date=request.start_month,
                                           source=Engagement.Source.DIRECTORY)
    bid.engagement = engagement
    _move_bid(bid, BidStatus.CONFIRMED, actor=author, action="confirmed")
    _announce("engagement.confirmed", [bid.pk])
    _tell_merchant(request, Notification.Kind.CONFIRMED, _("需求单 #%(pk)d：服务商已确认合作") % {"pk": request.pk})
    return engagement


@transaction.atomic
def request_withdraw(*, request: InquiryRequest, merchant, reason: str = "") -> InquiryRequest:
    request = InquiryRequest.objects.select_for_update().get(pk=request.pk)
    _require_merchant(request, merchant)
    _move_request(request, RequestStatus.WITHDRAWN, actor=merchant, action="withdrawn", reason=reason)
    for bid in request.bids.select_for_update().filter(status__in=[BidStatus.INVITED, BidStatus.PROPOSED]):
        _move_bid(bid, BidStatus.WITHDRAWN, actor=merchant, action="withdrawn")
    return request


@transaction.atomic
def bids_expire(*, now: dt.datetime | None = None) -> int:
    """Invitations unanswered past INQUIRY_RESPONSE_DAYS expire (they count as unanswered); returns how many."""
    now = now or timezone.now()
    overdue = Bid.objects.select_for_update().select_related("request", "provider").filter(
        status=BidStatus.INVITED, invited_at__lt=now - response_deadline()
    )
    touched = []
    for bid in overdue:
        _move_bid(bid, BidStatus.EXPIRED, actor=None, action="expired",
                  reason=f"no answer in {settings.INQUIRY_RESPONSE_DAYS} days")
        _tell_team(bid, Notification.Kind.EXPIRED, _("需求单 #%(pk)d 已超时，计为未回复") % {"pk": bid.request_id})
        touched.append(bid.request_id)
    if touched:
        requests_close_if_finished(request_ids=touched)
        transaction.on_commit(directory_cache_bump)
    return len(touched)


@transaction.atomic
def requests_close_if_finished(*, request_ids, actor=None) -> list[int]:
    """Close (已结束) each open request with nothing left to choose and nobody left to answer (states.request_finished:
    every invited provider declined or let the invitation expire, or the chosen one refused the hire and no other
    proposal came back), and tell its merchant; returns the ids closed. The open-request limit counts it no more.

    Called by every service that ends a bid, in its transaction; actor None is the system. The requests are locked
    before their bids are read, so two providers declining at once cannot both see the other's part still open.
    """
    requests = list(InquiryRequest.objects.select_for_update(of=("self",)).select_related("merchant")
                    .filter(pk__in=set(request_ids), status=RequestStatus.OPEN).order_by("pk"))
    if not requests:
        return []
    parts: dict[int, list[tuple[str, bool]]] = {request.pk: [] for request in requests}
    for request_id, status, proposal_id in Bid.objects.filter(request__in=requests).values_list(
            "request_id", "status", "proposal"):
        parts[request_id].append((status, proposal_id is not None))
    closed = []
    for request in requests:
        if not request_finished(parts[request.pk]):
            continue
        counts = Counter(status for status, _proposed in parts[request.pk])
        tally = ", ".join(f"{counts[s]} {s}" for s in (BidStatus.DECLINED, BidStatus.EXPIRED, BidStatus.NOT_SELECTED)
                          if counts[s])
        # Closed after the chosen provider refused the hire: the merchant hears why, once.
        if hire_refused(parts[request.pk]):
            why, title = CLOSED_REFUSED_REASON, _("需求单 #%(pk)d 已结束：选定的服务商未确认合作，没有其他方案可选")
        else:
            why, title = CLOSED_REASON, _("需求单 #%(pk)d 已结束：邀请的服务商都已婉拒或超时未回复")
        _move_request(request, RequestStatus.CLOSED, actor=actor, action="closed", reason=f"{why} ({tally})")
        _tell_merchant(request, Notification.Kind.CLOSED, title % {"pk": request.pk})
        closed.append(request.pk)
    return closed


@transaction.atomic
def promise_report(*, bid: Bid, reporter, message: Message | None = None) -> PromiseReport:
    """The merchant reports guarantee language in a proposal or message: a complaint for the moderators."""
    bid = Bid.objects.select_related("request", "proposal").get(pk=bid.pk)
    _require_merchant(bid.request, reporter)
    if message is not None and message.bid_id != bid.pk:
        raise PermissionDenied(_("消息不属于此方案。"))
    if message is not None:
        texts = [message.body]
    else:
        proposal = getattr(bid, "proposal", None)
        texts = [proposal.commitments, proposal.message] if proposal else []
    phrases = guarantee_phrases(*texts)
    if not phrases:
        raise ValidationError(_("这段内容里没有承诺销量、排名或回报的用语；其他问题请通过投诉提交。"))
    report, created = PromiseReport.objects.get_or_create(
        bid=bid, message=message, reporter=reporter, defaults={"phrases": phrases}
    )
    if created:
        _audit(bid.request, "promise_reported", actor=reporter, bid=bid, reason=", ".join(phrases))
    return report


@transaction.atomic
def engagement_end(*, bid: Bid, actor, end_date: dt.date, reason: str) -> Engagement:
    """Either side ends an engagement hired here: the last day served and why, audited on the request."""
    bid = Bid.objects.select_related("request", "engagement").get(pk=bid.pk)
    if bid.status != BidStatus.CONFIRMED or bid.engagement is None:
        raise ValidationError(_("只有已确认的合作可以结束。"))
    if bid.request.merchant_id != actor.pk:
        _require_member(bid, actor)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明结束合作的原因。")})
    engagement = Engagement.objects.select_for_update().get(pk=bid.engagement_id)
    if engagement.end_date is not None:
        raise ValidationError(_("合作已于 %(day)s 结束。") % {"day": engagement.end_date.isoformat()})
    if end_date < engagement.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期（%(day)s）。") % {
            "day": engagement.start_date.isoformat()}})
    engagement.end_date = end_date
    engagement.save(update_fields=["end_date"])
    _audit(bid.request, "engagement_ended", actor=actor, bid=bid, reason=f"{end_date.isoformat()}: {reason.strip()}")
    return engagement


@transaction.atomic
def review_invitations_send(*, today: dt.date | None = None) -> int:
    """Invite merchants to review engagements hired here, 30 days after the start and once they end (each once)."""
    today = today or timezone.localdate()
    hired = Engagement.objects.filter(source=Engagement.Source.DIRECTORY).select_related("provider")
    due = [
        *((e, ReviewInvitation.Moment.DAY_30) for e in hired.filter(start_date__lte=today - dt.timedelta(days=30))),
        *((e, ReviewInvitation.Moment.ENDED) for e in hired.filter(end_date__lte=today)),
    ]
    sent = set(ReviewInvitation.objects.filter(engagement__in=[e for e, _m in due])
               .values_list("engagement_id", "moment"))
    count = 0
    for engagement, moment in due:
        if (engagement.pk, moment) in sent:
            continue
        ReviewInvitation.objects.create(engagement=engagement, moment=moment)
        merchants = list(engagement.store.merchants.filter(is_active=True))
        notify(users=merchants, kind=Notification.Kind.REVIEW_INVITATION,
               title=_("邀请您评价合作的服务商：%(name)s") % {"name": engagement.provider.name},
               url=reverse("ratings:create", args=[engagement.provider.slug]))
        count += 1
    return count


@transaction.atomic
def promise_report_rule(*, report: PromiseReport, upheld: bool, actor) -> PromiseReport:
    """A moderator's ruling on a guarantee report; an upheld one is an over_promise violation on the ledger."""
    report = PromiseReport.objects.select_for_update().select_related("bid__request", "bid__provider").get(pk=report.pk)
    if report.status != PromiseReport.Status.OPEN:
        raise ValidationError(_("这条举报已处理。"))
    report.status = PromiseReport.Status.UPHELD if upheld else PromiseReport.Status.DISMISSED
    report.save(update_fields=["status"])
    _audit(report.bid.request, f"report_{report.status}", actor=actor, bid=report.bid, reason=", ".join(report.phrases))
    if upheld:
        violation_record(
            provider=report.bid.provider, violation_type="over_promise", occurred_on=timezone.localtime(
                report.created_at).date(), decided_on=timezone.localdate(), reference=f"inquiry-report-{report.pk}",
            source=Violation.Source.COMPLAINT, actor=actor, note=", ".join(report.phrases))
    return report
