"""Health endpoints for load balancers and orchestrators: /healthz (process up), /readyz (dependencies)."""
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

CHECK_TIMEOUT_SECONDS = 2


@never_cache
@require_safe
def healthz(request):
    """The process is up and answering; touches nothing else."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = "readyz:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")


def _broker() -> None:
    if not settings.REDIS_URL:
        return  # embedded mode: tasks run eagerly, there is no broker to reach
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
@require_safe
def readyz(request):
    """Database, cache and broker reachable; 503 naming what is not."""
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # any failure means not ready; the message says which and why
            ready = False
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)
