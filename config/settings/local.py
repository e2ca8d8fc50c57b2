"""Development on one machine: DEBUG on, a throw-away secret key unless one is set."""
from .base import *  # noqa: F401,F403
from .base import email_settings, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Static files from their sources, as with DEBUG on, also when DEBUG=false (to see the error pages): no
# `collectstatic` needed, and never a stale copy from an earlier one.
WHITENOISE_USE_FINDERS = True
# Mail is printed to the console and staff reach the admin without a second factor, unless the environment says
# otherwise (README "Accounts").
vars().update(email_settings(env("EMAIL_URL", default="consolemail://")))
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=False)

if CELERY_TASK_ALWAYS_EAGER:  # noqa: F405 (from base: no REDIS_URL, tasks run in-process)
    # A line per task that succeeded, and kombu's "no hostname" for the broker we deliberately lack, only bury
    # what matters in `make run`'s output; a real worker keeps them.
    LOGGING["loggers"] = {  # noqa: F405
        **LOGGING.get("loggers", {}),  # noqa: F405
        "celery.app.trace": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
    }
