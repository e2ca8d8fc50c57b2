"""The production profile: `check --deploy` is clean, SECRET_KEY is required, collectstatic builds hashed files."""
import os
import secrets
import subprocess
import sys

from django.conf import settings


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py under config.settings.production with exactly PATH/HOME plus env (a developer's .env aside)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=150,
    )


def production_env(tmp_path) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.com",
        # Never the developer's var/db.sqlite3 or var/staticfiles.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def test_check_deploy_passes_without_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_fails_without_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path):
    env = production_env(tmp_path)

    result = manage("collectstatic", "--noinput", **env)

    assert result.returncode == 0, result.stdout + result.stderr
    static = tmp_path / "static"
    assert (static / "staticfiles.json").exists(), "the manifest storage wrote no manifest"
    hashed_css = [p for p in static.rglob("*.css") if p.stem.count(".") >= 1]
    assert hashed_css, "no hashed CSS files"
    assert list(static.rglob("*.css.gz")), "whitenoise wrote no gzip copies"
