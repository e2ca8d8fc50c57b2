"""Request ids for log lines, and a one-JSON-object-per-line formatter (LOG_FORMAT=json)."""
import contextvars
import json
import logging
from datetime import datetime, timezone

# Set by config.middleware.RequestIDMiddleware for the duration of one request; "-" outside requests.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIDFilter(logging.Filter):
    """Stamps every record with the current request's id (so plain and JSON formats can both show it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs 4xx/5xx after the middleware has returned, but passes the request along.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class JSONFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, request_id (+ exception if any)."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "timestamp": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii=False keeps Chinese messages readable; json.dumps escapes newlines, so one line per record.
        return json.dumps(payload, ensure_ascii=False, default=str)
