import os

import pytest

# Django's live_server runs in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clear_cache(settings):
    """Each test starts with an empty in-process cache.

    With Redis (the PostgreSQL + Redis run) flushing would also drop the Celery broker's queues,
    so only the in-process backend is cleared.
    """
    from django.core.cache import cache

    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()
    yield
