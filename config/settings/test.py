"""The test suite: fast hashing, in-memory mail, tasks eager unless REDIS_URL is set."""
from .base import *  # noqa: F401,F403
from .base import env

SECRET_KEY = env("SECRET_KEY", default="test-only-insecure-key")
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "common.storage.PrivateInMemoryStorage"},
}
# Tests run tasks in-process; the worker tests start a real worker against REDIS_URL themselves.
CELERY_TASK_ALWAYS_EAGER = True
RATINGS_RECOMPUTE_DEBOUNCE_SECONDS = 0
# No collectstatic in tests: WhiteNoise serves from the finders, as in development, and does not
# warn about a missing STATIC_ROOT on every request of a clean checkout.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
