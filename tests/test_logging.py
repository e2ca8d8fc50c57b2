"""X-Request-ID: accepted when sane, generated otherwise, echoed back and put on every log line; LOG_FORMAT=json."""
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from config.logging import JSONFormatter, RequestIDFilter, request_id_var
from config.middleware import RequestIDMiddleware

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_sane_incoming_request_id_is_kept_and_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-2f9c-0001")

    assert response["X-Request-ID"] == "lb-2f9c-0001"


@pytest.mark.parametrize("bad", ["", "a" * 65, "abc def", "abc\u00e9", "<script>", "id;rm -rf", "../x", "a_b"])
def test_an_unsafe_or_missing_request_id_is_replaced_by_a_fresh_uuid(client, bad):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=bad)

    assert HEX32.fullmatch(response["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_log_lines_written_during_a_request_carry_its_id():
    seen = []

    def view(request):
        record = logging.LogRecord("directory.test", logging.INFO, __file__, 1, "inside", None, None)
        RequestIDFilter().filter(record)
        seen.append(record.request_id)
        return HttpResponse("ok")

    response = RequestIDMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))

    assert seen == ["req-42"] and response["X-Request-ID"] == "req-42"
    assert request_id_var.get() == "-", "the id must not leak into whatever runs next on this thread"


def test_json_formatter_writes_one_object_per_line_with_the_fields():
    token = request_id_var.set("req-7")
    try:
        record = logging.LogRecord("ratings.tasks", logging.WARNING, __file__, 1, "第一行\n第二行 %s", ("x",), None)
        RequestIDFilter().filter(record)
        line = JSONFormatter().format(record)
    finally:
        request_id_var.reset(token)

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "ratings.tasks"
    assert payload["message"] == "第一行\n第二行 x"
    assert payload["request_id"] == "req-7"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", payload["timestamp"])


def test_json_formatter_includes_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    payload = json.loads(JSONFormatter().format(record))

    assert "ValueError: boom" in payload["exception"]


PROBE = """
import django, logging
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
logging.getLogger("probe").info("hello from %s", "probe")
Client().get("/no-such-page-for-the-probe/", HTTP_X_REQUEST_ID="probe-req-1")
"""


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_log_format_switch_configures_the_console_handler(tmp_path, log_format):
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV") if key in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LOG_FORMAT": log_format,
             "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result.stderr
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        assert {"timestamp", "level", "logger", "message", "request_id"} <= set(records[0])
        assert any(r["message"] == "hello from probe" and r["request_id"] == "-" for r in records)
        assert any(r["logger"] == "django.request" and r["request_id"] == "probe-req-1" for r in records)
    else:
        assert any("[probe-req-1]" in line and "django.request" in line for line in lines), lines
