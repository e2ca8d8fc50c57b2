"""The account's own data as one JSON file (PIPL): profile and e-mail addresses (accounts), the reviews written
(ratings) and the stores owned, providers answered for and the compare shortlist (providers). Here, above the apps it gathers from."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.selectors import account_export_profile
from accounts.services import account_export_record
from providers.selectors import member_providers, merchant_stores
from providers.shortlist import user_shortlist
from ratings.selectors import merchant_reviews


def account_export(*, user) -> dict:
    """Everything the site holds about `user` that they gave it, as JSON-ready values."""
    data = account_export_profile(user=user)
    data["stores"] = [
        {"platform": store.platform.code, "external_id": store.external_id, "name": store.name}
        for store in merchant_stores(user=user)
    ]
    data["provider_memberships"] = [{"slug": p.slug, "name": p.name} for p in member_providers(user=user)]
    data["shortlist"] = [{"slug": p.slug, "name": p.name} for p in user_shortlist(user=user)]
    data["reviews"] = [
        {
            "id": review.pk,
            "provider": review.provider.slug,
            "store": {"platform": review.store.platform.code, "external_id": review.store.external_id},
            "rating": review.rating,
            "effect": review.effect,
            "communication": review.communication,
            "professionalism": review.professionalism,
            "responsiveness": review.responsiveness,
            "title": review.title,
            "body": review.body,
            "created_at": review.created_at.isoformat(),
            "submitted_at": review.submitted_at.isoformat(),
            "status": review.status,
            "reply": review.reply,
        }
        for review in merchant_reviews(user=user)
    ]
    return data


@login_required
@require_safe
def account_export_view(request):
    """The signed-in user's own data, downloaded as a file; there is no parameter to name anyone else."""
    data = {"exported_at": timezone.now().isoformat(), **account_export(user=request.user)}
    if request.method == "GET":
        account_export_record(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-account.json"'
    response["Cache-Control"] = "no-store"
    return response
