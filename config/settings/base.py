"""Settings shared by every environment; every value that differs comes from the environment."""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer's .env is read if present; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Required in production (production.py); local and test profiles supply throw-away defaults.
SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # django-csp: its system checks (old-style CSP_* settings, a string EXCLUDE_URL_PREFIXES).
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Accounts: sign-up, e-mail verification, reset and e-mail change; TOTP + recovery codes (accounts/ and README).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The project's apps, lowest first (docs/architecture.md): each may use the ones above it, never those below.
    # ingest comes after the apps whose admins it adds export actions to.
    "accounts",
    "providers",
    "ratings",
    "conduct",
    "ingest",
    "partners",
    "claims",
    "profiles",
    "portal",
    "inquiries",
]

MIDDLEWARE = [
    # First, so every response (redirects, 404s, errors) carries X-Request-ID and every log line its id.
    "config.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.RejectNulQueryMiddleware",
    # SQLite's write lock held past the busy timeout: 503 with Retry-After instead of a 500.
    "config.middleware.DatabaseLockedMiddleware",
    # Compresses /api/ responses and anonymous pages (BREACH: signed-in pages stay uncompressed; see the class).
    "partners.middleware.ApiGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff reach /admin/ only signed in with their second factor (ADMIN_REQUIRE_MFA); it says why with a message.
    "accounts.middleware.AdminRequiresMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns django-axes' lockout of a sign-in into the lockout page (config.accounts.lockout_response).
    "axes.middleware.AxesMiddleware",
]

# Security headers (SecurityMiddleware / XFrameOptionsMiddleware); production.py adds HTTPS, HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4, through config.middleware.ContentSecurityPolicyMiddleware): no inline script
# anywhere. Views may adjust it with csp.decorators (csp_update, csp_replace, csp, csp_exempt).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Directives replaced under a path prefix, for views we do not decorate (csp_replace semantics; a view's own
# csp_replace or csp decorator wins). The admin (Django's own templates and our workbench ones) uses style
# attributes and <style> blocks; styles only are relaxed there, scripts stay 'self'.
CONTENT_SECURITY_POLICY_PATH_REPLACE = {"/admin/": {"style-src": [SELF, UNSAFE_INLINE]}}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "providers.context_processors.shortlist",
                "inquiries.context_processors.notifications",
            ],
        },
    },
]

# DATABASE_URL: sqlite:///path or postgres://user@host:port/name. Default: SQLite under var/.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two requests writing at once must queue, not fail with "database is locked": WAL lets reads go on beside the
    # one writer, the busy timeout (seconds) makes a second writer wait for the first, and IMMEDIATE takes the write
    # lock at the start of each transaction.atomic(). Without it a transaction that read first and then writes fails
    # at once, whatever the timeout, when another one wrote in between (SQLite cannot upgrade its stale snapshot).
    # A lock still held past the timeout answers 503 with Retry-After (config.middleware.DatabaseLockedMiddleware).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL switches on the scaled-out mode: Redis is the Celery broker and the cache.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Answers as a miss while Redis is unreachable: pages and API reads keep working (config/cache.py).
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="dir"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "directory"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (config/accounts.py). django-axes' backend comes first and refuses every authenticate() (site, admin,
# anything later) for an account name *and* client address pair after LOGIN_FAILURE_LIMIT failures: other
# accounts from that address, and that account from elsewhere, still sign in. Names are counted normalised.
# allauth's backend signs the site in by e-mail; the admin's page signs in by user name (NormalisedModelBackend).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "config.accounts.NormalisedModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=60))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "config.accounts.lockout_username"
AXES_CLIENT_IP_CALLABLE = "config.accounts.client_ip"
AXES_LOCKOUT_CALLABLE = "config.accounts.lockout_response"

# django-allauth (README "Accounts"): sign-up by e-mail + password with the account kind, sign-in by e-mail, a
# confirmed address before signing in (and before posting: accounts.selectors.account_is_verified), reset by e-mail.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[代运营服务商目录] "
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
# Failed sign-ins are throttled (config.accounts.sign_in_throttled) and locked out (axes) already; allauth's own
# counter would answer first with a different page. Its other limits (sign-up, reset and confirmation mails) stay.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "代运营服务商目录"
# Staff (is_staff) open /admin/ only with TOTP set up and used in this session (accounts.middleware). Only
# config.settings.local turns it off by default, so `make run` needs no authenticator app.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=True)

# Mail: EMAIL_URL is smtp://user:password@host:587 (or smtp+tls://, smtp+ssl://), consolemail:// or
# filemail:///var/mail (django-environ); local.py defaults to the console, tests to locmem.


def email_settings(url: str) -> dict:
    """Django's EMAIL_* settings for an EMAIL_URL. As with sqlite:///, filemail:///var/mail is relative (here: to
    the project, not to whatever directory the process started in) and filemail:////srv/mail absolute."""
    config = environ.Env.email_url_config(url)
    if config.get("EMAIL_FILE_PATH") and not Path(config["EMAIL_FILE_PATH"]).is_absolute():
        config["EMAIL_FILE_PATH"] = str(BASE_DIR / config["EMAIL_FILE_PATH"])
    return config


vars().update(email_settings(env("EMAIL_URL", default="smtp://localhost:25")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="代运营服务商目录 <noreply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client, for the sign-in throttle and
# lockout. Empty: the socket address (REMOTE_ADDR), and the header is never believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
# Plain static storage: {% static %} works without `collectstatic`. Only production hashes file names, since the
# manifest storage answers 500 on every page whose stylesheet is missing from a collected manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Claim and credential evidence (common/uploads.py): outside every served directory and without a URL, so a
    # file is reachable only through the permission-checked views. PRIVATE_MEDIA_ROOT: where it lies on disk.
    "private": {
        "BACKEND": "common.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))},
    },
}
# The site's address for links in e-mails sent by workers (no request to take it from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# A provider invited to a request that has not answered it within this many days is marked unanswered.
INQUIRY_RESPONSE_DAYS = env.int("INQUIRY_RESPONSE_DAYS", default=3)
# Evidence files (screenshots of a seller back-office, licences): PNG, JPEG or PDF up to this size.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ratings:mine"
LOGOUT_REDIRECT_URL = "home"
# Where merchants write about a missing engagement (a mailto link on the "cannot review" page). Empty: that page
# sends them to the provider and their account page instead, so no placeholder address is ever shown.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "partners.schema.PartnerAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.authentication.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.authentication.PartnerRateThrottle"],
    # Anonymous reads per client address; the others per API key and endpoint scope.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_RATE_ANON", default="60/min"),
        "read": env("API_RATE_READ", default="1200/min"),
        "ingest": env("API_RATE_INGEST", default="30/min"),
        "webhooks": env("API_RATE_WEBHOOKS", default="120/min"),
        "claims": env("API_RATE_CLAIMS", default="120/min"),
        "leads": env("API_RATE_LEADS", default="120/min"),
    },
    # Client address = REMOTE_ADDR unless this many proxies in front append X-Forwarded-For (else it is spoofable).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser, refusing bodies nested too deep with a 400 (a RecursionError would be a 500).
    "DEFAULT_PARSER_CLASSES": ["partners.parsers.DepthLimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": None,
    # partners' handler, with SQLite's "database is locked" answered 503 + Retry-After (config/middleware.py).
    "EXCEPTION_HANDLER": "config.middleware.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "代运营服务商目录 API · Agency-operation provider directory API",
    "DESCRIPTION": (
        "Agency-operation provider directory: providers, tiers, history, reviews and store performance.\n\n"
        "Authenticate with `Authorization: Api-Key <key>` (keys are issued in the admin with the scopes `read`, "
        "`ingest`, `webhooks`); reads also work anonymously at a low rate. Errors are always JSON: "
        "`{status, code, message, errors: [{field, row, message, code}]}`. Lists are cursor-paginated "
        "(`next`/`previous` links). Decimals are strings.\n\n"
        "Webhooks POST JSON with `X-Timestamp` (Unix seconds) and `X-Signature: sha256=<hex>`, the HMAC-SHA256 "
        "of `<X-Timestamp>.<body>` keyed with the subscription's secret; reject old timestamps to stop replays."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProviderStatusEnum": "providers.models.Provider.Status",
        "WebhookEventEnum": "partners.models.WebhookEvent",
    },
    # Swagger UI is served from the vendored sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Partner API: webhooks and idempotent ingest.
# Only for tests and local receivers: lets webhook URLs point at loopback and private addresses.
PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("PARTNERS_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
PARTNERS_WEBHOOK_TIMEOUT_SECONDS = env.float("PARTNERS_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# Attempts per delivery; the waits between them double from the base up to the cap (60 s, 2 min, 4 min, …).
PARTNERS_WEBHOOK_MAX_ATTEMPTS = env.int("PARTNERS_WEBHOOK_MAX_ATTEMPTS", default=8)
PARTNERS_WEBHOOK_BACKOFF_SECONDS = env.int("PARTNERS_WEBHOOK_BACKOFF_SECONDS", default=60)
PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS = env.int("PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS", default=6 * 60 * 60)
# A subscription is switched off after this many deliveries in a row failed for good.
PARTNERS_WEBHOOK_DISABLE_AFTER_FAILURES = env.int("PARTNERS_WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
PARTNERS_WEBHOOKS_PER_KEY = env.int("PARTNERS_WEBHOOKS_PER_KEY", default=10)
PARTNERS_IDEMPOTENCY_TTL_HOURS = env.int("PARTNERS_IDEMPOTENCY_TTL_HOURS", default=24)

# Celery. Without a broker (no REDIS_URL) tasks run eagerly in-process, so `make run` needs nothing else.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A killed worker's task goes back to the queue and is retried (runs are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# A task not acknowledged within this time (its worker was killed) is delivered again; tests lower it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=2 * 60 * 60)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks (by name) that hear of each recompute's new tier/status events once it commits: the partners' webhooks.
# Wired here so that ratings, below partners, imports nothing of it (docs/architecture.md).
RATINGS_EVENT_TASKS = env.list("RATINGS_EVENT_TASKS", default=["partners.tasks.webhook_events_dispatch_task"])
# Likewise the inquiry flow's lead events (inquiry.created, engagement.confirmed) → providers' own webhooks.
INQUIRY_EVENT_TASKS = env.list("INQUIRY_EVENT_TASKS", default=["partners.tasks.lead_events_dispatch_task"])
# And the conduct ledger's sanction changes (provider.sanction_changed) → partners' webhooks.
CONDUCT_EVENT_TASKS = env.list("CONDUCT_EVENT_TASKS", default=["partners.tasks.conduct_events_dispatch_task"])

CELERY_BEAT_SCHEDULE = {
    "ratings-nightly-current-month": {
        "task": "ratings.tasks.ratings_recompute_task",
        "schedule": crontab(hour=2, minute=15),
    },
    "ratings-final-previous-month": {
        "task": "ratings.tasks.ratings_recompute_previous_month_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    "partners-idempotency-purge": {
        "task": "partners.tasks.idempotent_requests_purge_task",
        "schedule": crontab(hour=4, minute=30),
    },
    "ratings-drain-pending": {
        "task": "ratings.tasks.ratings_recompute_pending_task",
        "schedule": 300.0,
    },
    "ratings-fail-stuck-imports": {
        "task": "ratings.tasks.import_jobs_fail_stuck_task",
        "schedule": 300.0,
    },
    # An invitation expires within 15 minutes of its deadline.
    "inquiries-expire-bids": {
        "task": "inquiries.tasks.bids_expire_task",
        "schedule": 900.0,
    },
    # The conduct ledger's sanction of the new day (a hidden window ends, a frozen year turns): just after midnight.
    "conduct-apply-daily": {
        "task": "conduct.tasks.sanctions_apply_task",
        "schedule": crontab(hour=0, minute=5),
    },
    "conduct-complaints-unanswered": {
        "task": "conduct.tasks.complaints_mark_unanswered_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "inquiries-review-invitations": {
        "task": "inquiries.tasks.review_invitations_task",
        "schedule": crontab(hour=10, minute=0),
    },
}

# Recompute requests from reviews and imports are gathered for this many seconds into one job.
RATINGS_RECOMPUTE_DEBOUNCE_SECONDS = env.int("RATINGS_RECOMPUTE_DEBOUNCE_SECONDS", default=30)
# The Redis period lock expires after this long (a killed worker cannot hold it forever); a second run waits this long.
RATINGS_LOCK_TIMEOUT_SECONDS = env.int("RATINGS_LOCK_TIMEOUT_SECONDS", default=300)
RATINGS_LOCK_WAIT_SECONDS = env.int("RATINGS_LOCK_WAIT_SECONDS", default=600)
# CSV uploads in the admin larger than this are refused (the file is kept in the database until imported).
ADMIN_IMPORT_MAX_BYTES = env.int("ADMIN_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# An admin import's worker reads the file one row at a time; a file with more data rows is refused whole.
ADMIN_IMPORT_MAX_ROWS = env.int("ADMIN_IMPORT_MAX_ROWS", default=200_000)
# A job keeps this many of its errors (the first, by row) and the count of the others.
ADMIN_IMPORT_ERRORS_KEPT = env.int("ADMIN_IMPORT_ERRORS_KEPT", default=1000)
# A dry run or import whose worker has not beaten for this long (or, confirmed, not started) lost its worker; the
# sweep marks it failed. (On PostgreSQL a running import locks its job, so one that merely runs long is never failed.)
ADMIN_IMPORT_STUCK_MINUTES = env.int("ADMIN_IMPORT_STUCK_MINUTES", default=10)

# LOG_FORMAT=json: one JSON object per line (timestamp, level, logger, message, request_id) for log shippers.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIDFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
