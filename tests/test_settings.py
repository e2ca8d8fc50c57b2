"""Settings by environment: the embedded defaults, the REDIS_URL / DATABASE_URL switches, production's requirements.

Each profile is imported in a fresh interpreter with an environment built here (and a developer's .env ignored),
so these tests hold whatever environment the suite itself runs in.
"""
import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from config import celery_app

PROBE = """
import importlib, json, sys
import environ
# Only the environment given to this process counts, never a developer's .env.
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
module = importlib.import_module(sys.argv[1])
print(json.dumps({
    "DATABASE": module.DATABASES["default"],
    "CACHE": module.CACHES["default"],
    "CELERY_BROKER_URL": module.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": module.CELERY_TASK_ALWAYS_EAGER,
    "DEBUG": module.DEBUG,
    "SECRET_KEY_SET": bool(module.SECRET_KEY),
    "ALLOWED_HOSTS": module.ALLOWED_HOSTS,
    "STATICFILES_BACKEND": module.STORAGES["staticfiles"]["BACKEND"],
    "SINGLE_PROCESS": getattr(module, "SINGLE_PROCESS", None),
}, default=str))
"""

# Serves the given paths with the test client under DJANGO_SETTINGS_MODULE and prints their status codes.
PAGES_PROBE = """
import json, sys
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="localhost")
print(json.dumps({path: client.get(path).status_code for path in sys.argv[1:]}))
"""

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# Production's required variables; a Redis that is never contacted (importing settings connects to nothing).
PRODUCTION = {
    "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "directory.example.com", "REDIS_URL": "redis://redis.internal:6379/0",
}


def run_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    """Import a settings module in a new interpreter whose environment is exactly PATH/HOME plus env."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    return subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(module: str, **env: str) -> dict:
    result = run_settings(module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_without_redis_url_are_sqlite_locmem_and_eager_celery():
    values = load_settings("config.settings.test")

    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASE"]["NAME"] == str(settings.BASE_DIR / "var" / "db.sqlite3")
    assert values["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"


def test_local_profile_runs_tasks_eagerly_without_redis_url():
    values = load_settings("config.settings.local")

    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["DEBUG"] is True
    assert values["SECRET_KEY_SET"] is True


def test_only_production_needs_collected_static_files():
    production = load_settings("config.settings.production", **PRODUCTION)

    assert production["STATICFILES_BACKEND"] == MANIFEST_STORAGE
    assert load_settings("config.settings.local")["STATICFILES_BACKEND"] != MANIFEST_STORAGE
    assert load_settings("config.settings.base")["STATICFILES_BACKEND"] != MANIFEST_STORAGE


def test_local_profile_with_debug_off_renders_pages_and_serves_static_without_collectstatic(tmp_path):
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    env = {
        **base, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false",
        # An empty STATIC_ROOT: never a developer's earlier collectstatic, which would hide a missing manifest.
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    # The 404 page extends base.html ({% static %} for the stylesheet) and needs no database.
    result = subprocess.run(
        [sys.executable, "-c", PAGES_PROBE, "/no-such-page/", "/static/css/site.css"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"/no-such-page/": 404, "/static/css/site.css": 200}


def test_redis_url_makes_redis_the_cache_and_the_broker():
    url = "redis://127.0.0.1:6379/3"
    values = load_settings("config.settings.test", REDIS_URL=url)

    assert values["CACHE"]["BACKEND"] == "config.cache.FallbackRedisCache"
    assert values["CACHE"]["LOCATION"] == url
    assert values["CELERY_BROKER_URL"] == url
    # The test profile stays eager; the worker tests send through the broker themselves.
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_redis_url_sends_tasks_to_the_broker_outside_tests():
    values = load_settings("config.settings.local", REDIS_URL="redis://127.0.0.1:6379/3")

    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_sqlite_database_url_sets_the_sqlite_engine_and_path(tmp_path):
    path = tmp_path / "some" / "db.sqlite3"
    values = load_settings("config.settings.test", DATABASE_URL=f"sqlite:///{path}")

    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASE"]["NAME"] == str(path)
    assert values["DATABASE"]["OPTIONS"]["timeout"] == 20


def test_postgres_database_url_sets_the_postgresql_engine():
    values = load_settings(
        "config.settings.test", DATABASE_URL="postgres://directory:s3cret@db.internal:5433/directory"
    )

    database = values["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == ("directory", "directory", "s3cret")
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_is_read_from_the_environment():
    values = load_settings(
        "config.settings.test", DATABASE_URL="postgres://directory@127.0.0.1:5432/directory", CONN_MAX_AGE="0"
    )

    assert values["DATABASE"]["CONN_MAX_AGE"] == 0


def test_production_refuses_to_start_without_secret_key():
    result = run_settings("config.settings.production", ALLOWED_HOSTS="directory.example.com")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_settings("config.settings.production", SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_secret_key_allowed_hosts_and_redis_url():
    values = load_settings(
        "config.settings.production", **{**PRODUCTION, "ALLOWED_HOSTS": "directory.example.com,www.example.com"}
    )

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["directory.example.com", "www.example.com"]
    # One cache and one set of rate-limit counters for every gunicorn worker; tasks go to the Celery workers.
    assert values["CACHE"]["BACKEND"] == "config.cache.FallbackRedisCache"
    assert values["CACHE"]["LOCATION"] == PRODUCTION["REDIS_URL"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


@pytest.mark.parametrize("single_process", [None, "false", "0"])
def test_production_refuses_to_start_without_redis_url(single_process):
    env = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    if single_process is not None:
        env["SINGLE_PROCESS"] = single_process

    result = run_settings("config.settings.production", **env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: config.settings.production needs REDIS_URL" in result.stderr
    assert "SINGLE_PROCESS=true" in result.stderr, "the message names the way out for a one-process site"


def test_production_runs_without_redis_when_told_a_single_process_serves_it():
    env = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}

    values = load_settings("config.settings.production", **env, SINGLE_PROCESS="true")

    assert values["SINGLE_PROCESS"] is True
    assert values["CACHE"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_this_run_uses_redis_exactly_when_redis_url_is_set():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "config.cache.FallbackRedisCache"
        assert celery_app.conf.broker_url == settings.REDIS_URL
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
        assert celery_app.conf.broker_url == "memory://"


def test_this_run_executes_tasks_eagerly():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert celery_app.conf.task_always_eager is True


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for path in (settings.BASE_DIR / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", path.read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (settings.BASE_DIR / ".env.example").read_text(), re.M))

    assert read, "found no env(...) reads in config/settings"
    assert read <= documented, f".env.example lacks {sorted(read - documented)}"
