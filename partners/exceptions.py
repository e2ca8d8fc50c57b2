"""One JSON error shape for every API failure: {status, code, message, errors: [{field, row, message, code}]}."""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

logger = logging.getLogger(__name__)


def error_body(*, status_code: int, code: str, message: str, errors: list[dict] | None = None) -> dict:
    return {"status": status_code, "code": code, "message": message, "errors": errors or []}


def error_item(*, field: str | None, message: str, code: str, row: int | None = None) -> dict:
    return {"field": field or None, "row": row, "message": str(message), "code": str(code)}


def _flatten(detail, path: str = "") -> list[dict]:
    """DRF's nested error detail as a flat list with dotted field paths (`rows.3`, `events.0`)."""
    if isinstance(detail, dict):
        items = []
        for name, value in detail.items():
            field = "" if name in ("non_field_errors", api_non_field_key()) else str(name)
            items.extend(_flatten(value, f"{path}.{field}" if path and field else (field or path)))
        return items
    if isinstance(detail, list):
        items = []
        for value in detail:
            items.extend(_flatten(value, path))
        return items
    return [error_item(field=path, message=str(detail), code=getattr(detail, "code", None) or "invalid")]


def api_non_field_key() -> str:
    from rest_framework.settings import api_settings

    return api_settings.NON_FIELD_ERRORS_KEY


def api_exception_handler(exc, context):
    """DRF's handler (status codes, Retry-After, WWW-Authenticate), then the body reshaped to the stable form."""
    response = exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # the debug page is more useful to a developer
        logger.exception("unhandled API error", exc_info=exc)
        set_rollback()
        return Response(
            error_body(status_code=500, code="server_error", message=_("服务器内部错误。")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            status_code=response.status_code, code="invalid", message=str(exceptions.ValidationError.default_detail),
            errors=_flatten(exc.detail),
        )
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        message = str(detail) if not isinstance(detail, (dict, list)) else str(exc.default_detail)
        body = error_body(status_code=response.status_code, code=str(code), message=message)
    else:  # Http404 and PermissionDenied from Django, already mapped to a status by DRF
        data = response.data if isinstance(response.data, dict) else {}
        detail = data.get("detail", "")
        body = error_body(status_code=response.status_code, code=str(getattr(detail, "code", "error")),
                          message=str(detail))
    response.data = body
    return response
