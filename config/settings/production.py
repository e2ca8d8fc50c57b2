"""Production: SECRET_KEY, ALLOWED_HOSTS and REDIS_URL are required, DEBUG is off, HTTPS, HSTS and secure cookies.

Behind a TLS-terminating proxy that sets X-Forwarded-Proto; `manage.py check --deploy --fail-level WARNING`
passes with the defaults below (tests/test_deploy.py).
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import REDIS_URL, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Without Redis the cache and the API's throttle counters live in each process: with several gunicorn workers a
# rejected review goes on being served from some workers' caches, and every worker allows the full API rate.
# Only a site served by exactly one process (one gunicorn worker, no Celery worker or beat) may do without it.
SINGLE_PROCESS = env.bool("SINGLE_PROCESS", default=False)
if not REDIS_URL and not SINGLE_PROCESS:
    raise ImproperlyConfigured(
        "config.settings.production needs REDIS_URL (e.g. redis://127.0.0.1:6379/0): without it the cache and the "
        "API rate limits are per process, so several gunicorn workers serve stale pages and multiply the limits. "
        "If exactly one process serves the site (one gunicorn worker, no Celery worker), set SINGLE_PROCESS=true."
    )
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer probes over plain HTTP; these must answer there instead of redirecting.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Hashed, compressed static files (WhiteNoise serves them with far-future caching); the manifest they need is
# written by `collectstatic`, which the image runs at build (Dockerfile).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way commitment for the whole domain (removal takes months), so it stays an explicit
    # opt-in; until then check --deploy's "preload not set" notice is silenced rather than made a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
