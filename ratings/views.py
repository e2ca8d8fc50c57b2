"""Pages of the ratings app: the published tier rules, writing and editing reviews, providers' replies and appeals."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from accounts.decorators import verified_account_required
from providers.models import Provider
from providers.selectors import member_providers, user_is_provider_member

from . import selectors
from .selectors import member_reviews, merchant_open_engagements, merchant_reviewable_engagements, merchant_reviews
from .forms import AppealForm, ReplyForm, ReviewForm, ReviewSubmitForm, add_service_errors
from .masking import mask_personal_data
from .models import DIMENSION_FIELDS, Review, ReviewAppeal
from .services.moderation import review_appeal_file
from .services.reviews import REVIEW_EDIT_WINDOW, review_is_editable, review_reply, review_submit, review_update


def _rate(setting: str, default: str):
    """A django-ratelimit rate read from settings at request time (tests and deployments can change it)."""
    return lambda group, request: getattr(settings, setting, default)


REVIEW_RATE = _rate("REVIEW_POST_RATE", "10/h")
REPLY_RATE = _rate("REPLY_POST_RATE", "30/h")
APPEAL_RATE = _rate("APPEAL_POST_RATE", "10/h")


@require_safe
def policy_detail_view(request):
    policy = selectors.policy_active()
    gates = selectors.policy_gates(policy)
    return render(request, "ratings/ratingpolicy_detail.html", {
        "policy": policy,
        "gates": gates,
        "half_life_months": round(policy.half_life_days / 30),
    })


def _post_form(request, form, save) -> tuple[bool, int]:
    """The posting flow the review pages share: refuse when rate-limited, validate, call the service.

    Returns (saved, HTTP status for re-rendering the form); the service's ValidationError lands on the form.
    """
    if request.method != "POST":
        return False, 200
    if getattr(request, "limited", False):
        form.add_error(None, _("提交过于频繁，请稍后再试。"))
        return False, 429
    if not form.is_valid():
        return False, 200
    try:
        save()
    except ValidationError as error:
        add_service_errors(form, error)
        return False, 200
    return True, 200


def _next_url(request) -> str | None:
    """A safe same-site `next` (the provider portal's inbox sends one), or None."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return url
    return None


def _review_forbidden(request, provider: Provider, *, expired: bool = False, delisted: bool = False) -> HttpResponse:
    """403 page of a review the account may not write (no engagement, or the provider is delisted) or no longer
    edit (expired)."""
    return render(request, "ratings/review_forbidden.html", {
        "provider": provider, "expired": expired, "delisted": delisted, "contact_email": settings.CONTACT_EMAIL,
    }, status=403)


@login_required
@verified_account_required
@ratelimit(key="user", rate=REVIEW_RATE, method="POST", group="reviews:post", block=False)
@require_http_methods(["GET", "HEAD", "POST"])
def review_create_view(request, slug):
    provider = get_object_or_404(Provider, slug=slug)
    if provider.status == Provider.Status.DELISTED:  # a delisted provider's page stays, but takes no new reviews
        return _review_forbidden(request, provider, delisted=True)
    engagements = merchant_reviewable_engagements(user=request.user, provider=provider, on=timezone.localdate())
    if not engagements.exists():
        return _review_forbidden(request, provider)
    form = ReviewSubmitForm(request.POST or None, engagements=engagements)
    done, status = _post_form(request, form, lambda: review_submit(
        engagement=form.cleaned_data["engagement"], author=request.user, **form.review_values()))
    if done:
        messages.success(request, _("评价已提交，审核通过后将公开展示。"))
        return redirect("ratings:mine")
    return render(request, "ratings/review_form.html", {"form": form, "provider": provider, "creating": True},
                  status=status)


@login_required
@verified_account_required
@ratelimit(key="user", rate=REVIEW_RATE, method="POST", group="reviews:post", block=False)
@require_http_methods(["GET", "HEAD", "POST"])
def review_edit_view(request, pk):
    review = get_object_or_404(Review.objects.select_related("provider"), pk=pk, author=request.user)
    if not review_is_editable(review=review):
        return _review_forbidden(request, review.provider, expired=True)
    initial = {name: getattr(review, name) for name in ("rating", *DIMENSION_FIELDS, "title", "body")}
    form = ReviewForm(request.POST or None, initial=initial)
    done, status = _post_form(request, form, lambda: review_update(
        review=review, author=request.user, **form.review_values()))
    if done:
        messages.success(request, _("评价已修改，审核通过后将重新公开展示。"))
        return redirect("ratings:mine")
    return render(request, "ratings/review_form.html", {
        "form": form, "provider": review.provider, "review": review, "creating": False,
        "editable_until": review.submitted_at + REVIEW_EDIT_WINDOW,
    }, status=status)


@login_required
@verified_account_required
@ratelimit(key="user", rate=REPLY_RATE, method="POST", group="reviews:reply", block=False)
@require_http_methods(["GET", "HEAD", "POST"])
def review_reply_view(request, pk):
    review = get_object_or_404(
        Review.objects.select_related("provider").defer("author", "store"), pk=pk, status=Review.Status.PUBLISHED
    )
    if not review.provider.members.filter(pk=request.user.pk).exists():
        raise PermissionDenied(_("只有该服务商的账号可以回复。"))
    form = ReplyForm(request.POST or None, initial={"reply": review.reply})
    done, status = _post_form(request, form, lambda: review_reply(
        review=review, author=request.user, body=form.cleaned_data["reply"]))
    if done:
        if mask_personal_data(review.reply) != review.reply:
            messages.success(request, _("回复已发布。公开展示时个人信息已被隐藏。"))
        else:
            messages.success(request, _("回复已发布。"))
        next_url = _next_url(request)
        if next_url:
            return redirect(f"{next_url}#review-{review.pk}")
        return redirect(f"{review.provider.get_absolute_url()}#review-{review.pk}")
    return render(request, "ratings/review_reply.html", {"form": form, "review": review, "next": _next_url(request)},
                  status=status)


def _appeal_form(review: Review, data=None) -> AppealForm:
    # Several appeal forms share the list page: ids carry the review's pk.
    return AppealForm(data, auto_id=f"appeal-{review.pk}-%s")


@login_required
@verified_account_required
@ratelimit(key="user", rate=APPEAL_RATE, method="POST", group="reviews:appeal", block=False)
@require_POST
def review_appeal_view(request, pk):
    """A provider's account appeals a published review of its provider; the form itself is on the account page."""
    review = get_object_or_404(
        Review.objects.select_related("provider").defer("author", "store"), pk=pk, status=Review.Status.PUBLISHED
    )
    if not user_is_provider_member(user=request.user, provider=review.provider):
        raise PermissionDenied(_("只有该服务商的账号可以申诉。"))
    form = _appeal_form(review, request.POST)
    done, status = _post_form(request, form, lambda: review_appeal_file(
        review=review, author=request.user, **form.cleaned_data))
    if done:
        messages.success(request, _("申诉已提交，平台审核人员处理后，结果会显示在这条评价下。"))
        return redirect(f"{_next_url(request) or reverse('ratings:mine')}#review-{review.pk}")
    return render(request, "ratings/review_appeal.html", {"form": form, "review": review, "next": _next_url(request)},
                  status=status)


MEMBER_REVIEWS_PAGE_SIZE = 20


@login_required
@require_safe
def review_list_view(request):
    """The signed-in account's page: a merchant's reviews and open engagements, a provider's reviews to answer."""
    today = timezone.localdate()
    mine = list(merchant_reviews(user=request.user))
    for review in mine:
        review.editable = review_is_editable(review=review)
    # A provider with hundreds of reviews answers them a page at a time, newest first.
    page = Paginator(member_reviews(user=request.user), MEMBER_REVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    provider_reviews = _with_appeals(list(page.object_list))
    open_engagements = list(merchant_open_engagements(user=request.user, on=today))
    providers = list(member_providers(user=request.user))
    # "Reviews I wrote" is for merchants: whoever wrote a review or has one to write, and accounts linked to a
    # store. A provider's account has nothing to show there unless it wrote or may write one (no query needed).
    writes_reviews = bool(mine or open_engagements) or (not providers and request.user.stores.exists())
    return render(request, "ratings/review_list.html", {
        "writes_reviews": writes_reviews,
        "my_reviews": mine,
        "open_engagements": open_engagements,
        "providers": providers,
        "provider_reviews": provider_reviews,
        "provider_reviews_page": page,
    })


def _with_appeals(reviews: list[Review]) -> list[Review]:
    """The provider's reviews, each with its latest appeal (or None) and a blank appeal form unless one is open.

    A decided appeal does not stop another (review_appeal_submit refuses only a second open one).
    """
    latest = selectors.review_latest_appeals(review_ids=[review.pk for review in reviews])
    for review in reviews:
        review.appeal = latest.get(review.pk)
        pending = review.appeal is not None and review.appeal.status == ReviewAppeal.Status.OPEN
        review.appeal_form = None if pending else _appeal_form(review)
    return reviews
