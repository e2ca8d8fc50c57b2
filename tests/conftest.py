import os

import pytest

# Django's live_server runs in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Each test starts with an empty cache: rate-limit counters, cached pages and sign-in budgets of one test must
    not reach the next.

    With Redis (the PostgreSQL + Redis run) a FLUSHDB would also drop the Celery broker's queues, so only the keys
    under this cache's prefix are deleted.
    """
    from django.core.cache import cache

    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
    else:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans).

    LocaleMiddleware activates a request's language in the thread that served it, and the test client serves
    requests in the test's own thread: without this, a test after an English request would run in English.
    """
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _admin_mfa_not_required(settings):
    """The admin's tests sign staff in with force_login, which uses no second factor: the requirement is off here
    and on in the tests of it (tests/accounts/test_mfa.py), which also check it is on by default."""
    settings.ADMIN_REQUIRE_MFA = False
