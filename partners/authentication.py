"""`Authorization: Api-Key <key>` authentication, scope permission and per-key throttling for the partner API."""
from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.settings import api_settings

from . import selectors, services
from .models import ApiKey, Scope

KEYWORD = "Api-Key"


class Partner:
    """request.user for a key: authenticated, but never staff; it holds no Django permissions."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.pk = self.id = None
        self.username = f"api-key:{api_key.prefix}"

    def __str__(self):
        return self.username

    def has_perm(self, perm, obj=None) -> bool:
        return False


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticates `Authorization: Api-Key <prefix>.<secret>`; other schemes are left to others (anonymous)."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() != KEYWORD.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Api-Key <密钥>。"), code="invalid_api_key")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("API 密钥无效。"), code="invalid_api_key") from None
        api_key = selectors.api_key_get_by_raw(raw=raw)
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("API 密钥无效。"), code="invalid_api_key")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("API 密钥已被吊销。"), code="api_key_revoked")
        if not api_key.is_usable():
            raise exceptions.AuthenticationFailed(_("API 密钥已过期。"), code="api_key_expired")
        services.api_key_mark_used(api_key=api_key)
        return Partner(api_key), api_key

    def authenticate_header(self, request):
        # Makes failures 401 with WWW-Authenticate rather than 403.
        return f'{KEYWORD} realm="api"'


def request_api_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


class HasScope(permissions.BasePermission):
    """Anonymous callers may read; a key needs the view's `required_scope` (default `read`) for anything."""

    def has_permission(self, request, view):
        scope = getattr(view, "required_scope", Scope.READ)
        api_key = request_api_key(request)
        if api_key is None:
            if scope == Scope.READ and request.method in permissions.SAFE_METHODS:
                return True
            raise exceptions.NotAuthenticated(_("此接口需要 API 密钥（Authorization: Api-Key <密钥>）。"))
        if scope not in api_key.scopes:
            raise exceptions.PermissionDenied(
                _("此 API 密钥没有“%(scope)s”权限。") % {"scope": scope}, code="insufficient_scope"
            )
        return True


class PartnerRateThrottle(throttling.BaseThrottle):
    """Fixed-window counters: per key and view scope (`throttle_scope`), per client address for anonymous reads.

    Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (`anon`, `read`, `ingest`, `webhooks`). A counter is
    one atomic cache increment, so the check costs the same at any rate. Throttles spread load; they are not a
    security control.
    """

    def allow_request(self, request, view):
        api_key = request_api_key(request)
        scope = "anon" if api_key is None else getattr(view, "throttle_scope", Scope.READ)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
        if rate is None:
            return True
        limit, period = throttling.SimpleRateThrottle.parse_rate(None, rate)
        ident = f"key:{api_key.prefix}" if api_key else self.get_ident(request)
        now = time.time()
        window = int(now // period)
        key = throttle_cache_key(scope=scope, ident=ident, window=window)
        # add() is a no-op when the counter exists; the entry outlives its window a little so incr never misses.
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self):
        return self._wait


def throttle_cache_key(*, scope: str, ident: str, window: int) -> str:
    return f"throttle:{scope}:{ident}:{window}"


def throttle_reset(*, scope: str, ident: str) -> None:
    """Forget a client's counter for the current window (support: unblock a partner after an incident)."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if rate is None:
        return
    _limit, period = throttling.SimpleRateThrottle.parse_rate(None, rate)
    cache.delete(throttle_cache_key(scope=scope, ident=ident, window=int(time.time() // period)))
