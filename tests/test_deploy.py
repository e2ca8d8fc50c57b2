"""The production profile: `check --deploy` is clean, SECRET_KEY and REDIS_URL are required, collectstatic builds
hashed files, and gunicorn refuses to start a production site whose cache would be per worker."""
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

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
        # Neither check --deploy nor collectstatic connects to it.
        "REDIS_URL": "redis://127.0.0.1:6379/15",
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


def start_gunicorn(tmp_path, **env: str) -> tuple[subprocess.Popen, int]:
    """`gunicorn config.wsgi` as the Procfile starts it (gunicorn.conf.py applies) under production, on a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    process = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "config.wsgi"],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.production", "GUNICORN_BIND": f"127.0.0.1:{port}",
             **production_env(tmp_path), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, port


def gunicorn_refusal(tmp_path, **env: str) -> str:
    """What gunicorn printed before it exited with an error; fails if it went on running for 60 s."""
    process, _ = start_gunicorn(tmp_path, **env)
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        raise AssertionError(f"gunicorn kept running:\n{output}") from None
    assert process.returncode != 0, output
    return output


def test_gunicorn_refuses_to_start_production_without_redis_url(tmp_path):
    output = gunicorn_refusal(tmp_path, REDIS_URL="", GUNICORN_WORKERS="2")

    assert "config.settings.production needs REDIS_URL" in output


def test_gunicorn_refuses_several_workers_for_a_single_process_site(tmp_path):
    # The settings accept SINGLE_PROCESS (from the environment or .env); gunicorn was still told to run two workers.
    output = gunicorn_refusal(tmp_path, REDIS_URL="", SINGLE_PROCESS="true", GUNICORN_WORKERS="2")

    assert "SINGLE_PROCESS=true allows one gunicorn worker, not 2" in output


def test_gunicorn_serves_a_single_process_site_with_one_worker(tmp_path):
    process, port = start_gunicorn(tmp_path, REDIS_URL="", SINGLE_PROCESS="true")
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "example.com"})
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
                time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert output.count("Booting worker") == 1, output
