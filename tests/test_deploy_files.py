"""The deployment files agree with each other and with the code: Procfile, Dockerfile, docker-compose.yml, .env.example.

There is no Docker engine on the development machine, so nothing here builds or starts a container; these read the
files and check what `docker compose up --build` and a Procfile deploy depend on. tests/test_deploy.py runs the
production profile itself, and tests/test_settings.py checks that every env(...) read is in .env.example.
"""
import ast
import json
import multiprocessing
import re
import runpy
import shlex
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Compose service -> the Procfile process it runs.
PROCFILE_PROCESS = {"migrate": "release", "web": "web", "worker": "worker", "beat": "beat"}


def procfile() -> dict[str, list[str]]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    processes = dict(line.split(":", 1) for line in lines)
    assert len(processes) == len(lines), "a Procfile process is declared twice"
    return {name.strip(): shlex.split(command) for name, command in processes.items()}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, comments dropped and continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, arguments = line.strip().partition(" ")
            instructions.append((instruction.upper(), " ".join(arguments.split())))
    return instructions


def dockerfile_args(instruction: str) -> list[str]:
    return [arguments for name, arguments in dockerfile() if name == instruction]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def gunicorn_bind(monkeypatch) -> str:
    """gunicorn.conf.py's bind when the environment does not override it."""
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"]


def gunicorn_conf(monkeypatch, **env: str) -> dict:
    """gunicorn.conf.py's values with exactly these GUNICORN_* / SINGLE_PROCESS variables set."""
    for name in ("GUNICORN_WORKERS", "SINGLE_PROCESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def environment_reads(path: Path) -> set[str]:
    """Names read via env(...), env.<cast>(...), os.environ.get/setdefault/[...] or os.getenv, with a literal name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if re.fullmatch(r"env(\.\w+)?|os\.environ\.(get|setdefault)|os\.getenv", function):
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return names


def settings_reads() -> set[str]:
    return set().union(*(environment_reads(path) for path in (ROOT / "config" / "settings").glob("*.py")))


# --- Procfile -----------------------------------------------------------------------------------------------------


def test_procfile_declares_release_web_worker_and_beat():
    assert procfile() == {
        "release": ["python", "manage.py", "migrate", "--noinput"],
        "web": ["gunicorn", "config.wsgi"],
        "worker": ["celery", "-A", "config.celery_app", "worker", "--loglevel=INFO"],
        "beat": ["celery", "-A", "config.celery_app", "beat", "--loglevel=INFO", "--schedule", "/tmp/celerybeat-schedule"],
    }


def test_procfile_programs_are_installed_in_the_environment():
    bin_dir = Path(sys.prefix) / "bin"

    missing = {command[0] for command in procfile().values() if not shutil.which(command[0], path=str(bin_dir))}

    assert missing == set(), f"not in {bin_dir}: {sorted(missing)}"


def test_gunicorn_loads_the_procfile_wsgi_app_and_reads_gunicorn_conf_from_the_working_directory():
    import gunicorn.config
    import gunicorn.util

    import config.wsgi

    assert gunicorn.util.import_app(procfile()["web"][1]) is config.wsgi.application
    # `gunicorn config.wsgi` names no -c: gunicorn.conf.py counts only because it is gunicorn's default config file.
    assert gunicorn.config.Config().settings["config"].default == "./gunicorn.conf.py"
    assert (ROOT / "gunicorn.conf.py").is_file()


def test_celery_dash_a_config_celery_app_finds_the_projects_single_app():
    from celery.app.utils import find_app

    from config.celery_app import app

    for process in ("worker", "beat"):
        command = procfile()[process]
        app_name = command[command.index("-A") + 1]
        assert find_app(app_name) is app
    assert app.main == "config"


@pytest.mark.parametrize(("env", "workers"), [
    ({}, multiprocessing.cpu_count() * 2 + 1),
    ({"SINGLE_PROCESS": "true"}, 1),
    ({"SINGLE_PROCESS": "false"}, multiprocessing.cpu_count() * 2 + 1),
    ({"GUNICORN_WORKERS": "3"}, 3),
])
def test_gunicorn_runs_one_worker_for_a_single_process_site_and_several_otherwise(monkeypatch, env, workers):
    assert gunicorn_conf(monkeypatch, **env)["workers"] == workers


@pytest.mark.parametrize(("single_process", "redis_url", "workers", "refused"), [
    (True, "", 2, True),
    (True, "", 1, False),
    (True, "redis://redis:6379/0", 4, False),  # with Redis the flag changes nothing
    (False, "redis://redis:6379/0", 4, False),
])
def test_gunicorn_workers_refuse_to_serve_a_single_process_site_when_there_are_several(
    monkeypatch, settings, single_process, redis_url, workers, refused
):
    settings.SINGLE_PROCESS = single_process
    settings.REDIS_URL = redis_url
    worker = SimpleNamespace(cfg=SimpleNamespace(workers=workers))
    post_worker_init = gunicorn_conf(monkeypatch)["post_worker_init"]

    if refused:
        with pytest.raises(RuntimeError, match="set GUNICORN_WORKERS=1"):
            post_worker_init(worker)
    else:
        post_worker_init(worker)


# --- Dockerfile ---------------------------------------------------------------------------------------------------


def test_dockerfile_builds_on_python_3_11():
    assert dockerfile_args("FROM") == ["python:3.11-slim-bookworm"]
    assert re.search(r'requires-python = ">=3.11,<3.13"', (ROOT / "pyproject.toml").read_text())


def test_dockerfile_installs_the_project_from_pyproject():
    runs = dockerfile_args("RUN")

    assert runs[0] == "pip install ."
    assert runs[1].startswith("pip install --no-deps -e . && ")
    assert "requirements" not in (ROOT / "Dockerfile").read_text().lower()
    assert dockerfile_args("COPY")[0] == "pyproject.toml README.md ./"


def test_dockerfile_copies_the_site_and_no_local_state():
    sources = set()
    for arguments in dockerfile_args("COPY"):
        sources.update(arguments.split()[:-1])

    assert sources == {
        "pyproject.toml", "README.md", "manage.py", "gunicorn.conf.py",
        "config", "common", "accounts", "providers", "ratings", "ingest", "partners", "templates", "static", "locale",
    }
    # Every package pyproject installs, and every directory the settings read at run time.
    packages = re.search(r"include = \[(.*)\]", (ROOT / "pyproject.toml").read_text()).group(1)
    assert {name.strip('" *') for name in packages.split(",")} <= sources
    assert {Path(settings.TEMPLATES[0]["DIRS"][0]).name, Path(settings.STATICFILES_DIRS[0]).name} <= sources
    assert {Path(path).name for path in settings.LOCALE_PATHS} <= sources


def test_dockerfile_collects_static_at_build_with_the_production_settings():
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile_args("ENV")[0].split()
    assert dockerfile_args("RUN")[1].endswith(
        # One process and no Redis at build time: production's settings demand REDIS_URL or SINGLE_PROCESS.
        "&& SECRET_KEY=build-only ALLOWED_HOSTS=localhost SINGLE_PROCESS=true python manage.py collectstatic --noinput"
    )
    # The static sources are in the image before collectstatic runs.
    instructions = dockerfile()
    collect = next(i for i, (name, args) in enumerate(instructions) if "collectstatic" in args)
    assert ("COPY", "static ./static") in instructions[:collect]


def test_dockerfile_runs_as_a_non_root_user():
    assert dockerfile_args("USER") == ["app"]
    assert dockerfile_args("RUN")[-1] == "useradd --create-home app && mkdir -p /app/var && chown app /app/var"
    instructions = [name for name, _ in dockerfile()]
    assert instructions.index("USER") > max(i for i, name in enumerate(instructions) if name == "RUN")


def test_dockerfile_exposes_the_port_gunicorn_binds(monkeypatch):
    assert gunicorn_bind(monkeypatch) == "0.0.0.0:8000"
    assert dockerfile_args("EXPOSE") == ["8000"]


def test_dockerfile_default_command_is_the_procfile_web_process():
    assert dockerfile_args("WORKDIR") == ["/app"]
    assert json.loads(dockerfile_args("CMD")[0]) == procfile()["web"]


def test_migrations_run_in_their_own_step_not_an_entrypoint():
    assert dockerfile_args("ENTRYPOINT") == []
    services = compose()["services"]

    assert services["migrate"]["command"] == procfile()["release"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


# --- docker-compose.yml -------------------------------------------------------------------------------------------


def test_compose_declares_exactly_the_stack():
    stack = compose()

    assert set(stack["services"]) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert stack["services"]["db"]["image"] == "postgres:15"
    assert stack["services"]["redis"]["image"] == "redis:7"
    assert stack["volumes"] == {"pgdata": None}
    assert stack["services"]["db"]["volumes"] == ["pgdata:/var/lib/postgresql/data"]


def test_app_services_run_the_image_built_from_the_repository_dockerfile():
    services = compose()["services"]

    for name in APP_SERVICES:
        assert services[name]["build"] == ".", name
        assert "image" not in services[name], name
    assert (ROOT / "Dockerfile").is_file()


def test_app_service_commands_are_the_procfile_processes():
    services = compose()["services"]
    processes = procfile()

    assert {name: services[name]["command"] for name in APP_SERVICES} == {
        name: processes[process] for name, process in PROCFILE_PROCESS.items()
    }


def test_app_services_reach_the_compose_postgres_and_redis():
    services = compose()["services"]
    postgres = services["db"]["environment"]

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        database = urlsplit(environment["DATABASE_URL"])
        assert (database.scheme, database.hostname, database.port) == ("postgres", "db", 5432), name
        assert (database.username, database.password, database.path) == (
            postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], f"/{postgres['POSTGRES_DB']}"
        ), name
        redis = urlsplit(environment["REDIS_URL"])
        assert (redis.scheme, redis.hostname, redis.port, redis.path) == ("redis", "redis", 6379, "/0"), name
    # 5432 and 6379 are the images' own ports: neither service moves them.
    assert "PGPORT" not in postgres
    assert "--port" not in services["redis"]["command"]


def test_app_services_take_secret_key_and_allowed_hosts_from_the_environment():
    services = compose()["services"]

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        # `:?` makes compose refuse to start without a SECRET_KEY instead of falling back to a shared literal.
        assert environment["SECRET_KEY"] == (
            "${SECRET_KEY:?set SECRET_KEY (50+ random characters) in the environment or .env}"
        ), name
        assert environment["ALLOWED_HOSTS"] == "${ALLOWED_HOSTS:-127.0.0.1,localhost}", name


def test_database_password_never_leaves_the_compose_network():
    services = compose()["services"]

    assert "ports" not in services["db"]
    assert "ports" not in services["redis"]


def test_app_services_pass_only_variables_the_settings_read():
    read = settings_reads() | {"DJANGO_SETTINGS_MODULE"}

    for name in APP_SERVICES:
        assert set(compose()["services"][name]["environment"]) - read == set(), name


def test_db_and_redis_healthchecks_use_the_clients_their_images_ship():
    services = compose()["services"]

    assert services["db"]["healthcheck"]["test"] == [
        "CMD", "pg_isready", "-U", services["db"]["environment"]["POSTGRES_USER"]
    ]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_migrations_wait_for_healthy_db_and_redis():
    # web, worker and beat wait for migrate (test_migrations_run_in_their_own_step_not_an_entrypoint), so for these.
    assert compose()["services"]["migrate"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_published_web_port_and_healthcheck_match_gunicorns_bind(monkeypatch):
    web = compose()["services"]["web"]
    port = gunicorn_bind(monkeypatch).rsplit(":", 1)[1]

    assert web["ports"] == [f"{port}:{port}"]
    assert "GUNICORN_BIND" not in web["environment"]
    probe = re.search(r"urlopen\('([^']+)'\)", web["healthcheck"]["test"][-1]).group(1)
    assert probe == f"http://127.0.0.1:{port}{reverse('healthz')}"
    # The probe's Host must be allowed by the default ALLOWED_HOSTS, or it would fail with a 400.
    default_hosts = re.fullmatch(r"\$\{ALLOWED_HOSTS:-(.*)\}", web["environment"]["ALLOWED_HOSTS"]).group(1)
    assert urlsplit(probe).hostname in default_hosts.split(",")


# --- .env.example -------------------------------------------------------------------------------------------------


def test_settings_read_the_environment_only_through_django_environ():
    """tests/test_settings.py finds reads by their env(...) calls; an os.environ read there would slip past it."""
    for path in (ROOT / "config" / "settings").glob("*.py"):
        assert not re.search(r"\bos\.(environ|getenv)\b", path.read_text()), path.name


@pytest.mark.parametrize(
    ("variable", "readers"),
    [
        ("DJANGO_SETTINGS_MODULE", ["manage.py", "config/wsgi.py", "config/asgi.py", "config/celery_app.py"]),
        ("REQUIRE_WORKER_TESTS", ["tests/test_celery_worker.py"]),
    ],
)
def test_env_example_variables_read_outside_the_settings_are_read_where_it_says(variable, readers):
    for reader in readers:
        assert variable in environment_reads(ROOT / reader), reader


def test_env_example_documents_no_variable_nothing_reads():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M))

    # gunicorn.conf.py's GUNICORN_* are absent on purpose: gunicorn reads the process environment, never .env.
    assert documented - settings_reads() == {"DJANGO_SETTINGS_MODULE", "REQUIRE_WORKER_TESTS"}
