"""Settings and URLconf of the API benchmark only (DJANGO_SETTINGS_MODULE=api_site, benchmarks/ on the path).

It serves the project's URLs plus /bench/bare/providers/: a plain Django view that runs the same queries as
GET /api/v1/providers/ and builds the same JSON by hand. That view exists nowhere in the project's own URLconf.
"""
import base64
import json
import os
from urllib.parse import parse_qs, urlencode

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import REST_FRAMEWORK, STORAGES

SECRET_KEY = os.environ.get("SECRET_KEY", "benchmark-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Static files as production serves them (load.py runs collectstatic first).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
ROOT_URLCONF = "api_site"
# Throttling stays on (its cost is part of what is measured) with budgets the benchmark cannot exhaust.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
    scope: "100000000/min" for scope in ("anon", "read", "ingest", "webhooks")}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}


def bare_provider_list(request):
    """GET /api/v1/providers/?platform=…&min_tier=…&ordering=-score, by hand: same queries, same JSON."""
    from django.db.models import F, Prefetch
    from django.http import HttpResponse, HttpResponseBadRequest

    from partners.selectors import LIST_SNAPSHOT_FIELDS
    from providers.models import Category, Platform, Provider, Service
    from providers.selectors import LISTED_STATUSES
    from ratings.models import ScoreSnapshot

    try:
        platform = Platform.objects.get(code=request.GET["platform"])
        min_tier = int(request.GET["min_tier"])
    except (KeyError, ValueError, Platform.DoesNotExist):
        return HttpResponseBadRequest()
    size = 50
    providers = list(
        Provider.objects.filter(status__in=LISTED_STATUSES, platforms=platform, tier__gte=min_tier)
        .prefetch_related(
            Prefetch("platforms", queryset=Platform.objects.order_by("position")),
            Prefetch("categories", queryset=Category.objects.order_by("position")),
            Prefetch("services", queryset=Service.objects.order_by("position")),
            Prefetch("snapshots", queryset=ScoreSnapshot.objects.filter(period=F("provider__rated_period"))
                     .only(*LIST_SNAPSHOT_FIELDS), to_attr="latest_snapshots"),
        )
        .order_by(F("score").desc(nulls_last=True), "name", "pk")[: size + 1]
    )
    more, providers = len(providers) > size, providers[:size]
    base = request.build_absolute_uri("/api/v1/providers/")

    def decimal(value):
        return None if value is None else str(value)

    results = []
    for p in providers:
        snapshot = p.latest_snapshots[0] if p.latest_snapshots else None
        results.append({
            "slug": p.slug, "name": p.name, "name_en": p.name_en, "city": p.city, "founded_year": p.founded_year,
            "status": p.status, "tier": p.tier, "at_risk": p.at_risk,
            "period": p.rated_period.strftime("%Y-%m") if p.rated_period else None,
            "score": None if snapshot is None else {
                "composite": decimal(snapshot.composite), "reviews": decimal(snapshot.review_score),
                "performance": decimal(snapshot.performance_score),
            },
            "review_count": p.review_count, "review_average": decimal(p.review_average),
            "active_stores": snapshot.active_stores if snapshot else None,
            "excellent_stores": snapshot.excellent_stores if snapshot else None,
            "platforms": [x.code for x in p.platforms.all()], "categories": [x.code for x in p.categories.all()],
            "services": [x.code for x in p.services.all()], "fee_min": decimal(p.fee_min),
            "fee_max": decimal(p.fee_max), "accepting_new_clients": p.accepting_new_clients, "verified": p.verified,
            "url": f"{base}{p.slug}/",
        })
    next_link = None
    if more:
        last = providers[-1]
        cursor = {"s": "list:-score", "v": [decimal(last.score), last.name, last.pk], "r": False}
        token = base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode().rstrip("=")
        query = {key: values for key, values in parse_qs(request.META["QUERY_STRING"], keep_blank_values=True).items()}
        query["cursor"] = [token]
        next_link = f"{base}?{urlencode(sorted(query.items()), doseq=True)}"
    body = {"next": next_link, "previous": None, "results": results}
    return HttpResponse(json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        content_type="application/json")


def __getattr__(name):
    # The URLconf is read after the apps are ready; this module is imported earlier, as the settings.
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from config.urls import urlpatterns as project

    return [path("bench/bare/providers/", bare_provider_list), *project]
