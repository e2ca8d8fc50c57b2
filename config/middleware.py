"""Request ids (X-Request-ID), per-path Content-Security-Policy (on django-csp), refusing NUL in query strings, and
503 (not 500) when SQLite stayed locked."""
import logging
import re
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.logging import request_id_var
from partners.exceptions import api_exception_handler as partners_api_exception_handler
from partners.exceptions import error_body

logger = logging.getLogger(__name__)

# A proxy's id is kept only if it is short and harmless in a header and a log line; otherwise we make our own.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


class RequestIDMiddleware:
    """Accepts a sane incoming X-Request-ID or makes one, exposes it to logging and echoes it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware (settings.CONTENT_SECURITY_POLICY, the csp.decorators on views), plus directives
    replaced by path prefix (settings.CONTENT_SECURITY_POLICY_PATH_REPLACE) for views nobody decorates, the admin's.

    A view's own csp_replace or csp decorator wins over its path's replacement; csp_update adds to either. As
    before, a response that already carries the header keeps it.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and parts.replace is None:
            parts.replace = next(
                (
                    replace
                    for prefix, replace in settings.CONTENT_SECURITY_POLICY_PATH_REPLACE.items()
                    if request.path_info.startswith(prefix)
                ),
                None,
            )
        return parts


class RejectNulQueryMiddleware:
    """Answer 400 to a query string holding a NUL character, before any view or database sees it.

    PostgreSQL cannot store or compare text with NUL (a query with one raises), and no honest link carries one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            message = "The query string contains a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(status_code=400, code="invalid_query", message=message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# Long enough for the writer that held the lock past the busy timeout to finish, short enough that a retry is soon.
DATABASE_LOCKED_RETRY_AFTER_SECONDS = 5


def is_database_locked(exception: BaseException) -> bool:
    """SQLite's "database is locked": another connection held the write lock for the whole busy timeout."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


def _database_locked_message() -> str:
    return _("The site is busy right now. Please try again in a few seconds.")


class DatabaseLockedMiddleware:
    """Answer 503 with Retry-After, not a 500, when a view or its template met a SQLite write lock it could not get.

    The busy timeout and IMMEDIATE transactions (settings DATABASES OPTIONS) make writers queue; this is for a
    writer still waiting when the timeout ran out. The transaction that waited rolled back, so a retry is safe.
    API views answer through api_exception_handler below, since DRF turns exceptions into responses itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_locked(exception):
            return None
        logger.warning("database locked past the busy timeout: %s %s answered 503", request.method, request.path)
        message = _database_locked_message()
        if request.path.startswith("/api/"):
            response = JsonResponse(error_body(status_code=503, code="database_busy", message=message), status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(DATABASE_LOCKED_RETRY_AFTER_SECONDS)
        return response


def api_exception_handler(exc, context):
    """REST_FRAMEWORK's EXCEPTION_HANDLER: partners' handler, except that a SQLite lock answers 503 + Retry-After."""
    if not is_database_locked(exc):
        return partners_api_exception_handler(exc, context)
    request = context.get("request")
    logger.warning("database locked past the busy timeout: %s %s answered 503",
                   getattr(request, "method", ""), getattr(request, "path", ""))
    set_rollback()
    return Response(
        error_body(status_code=503, code="database_busy", message=_database_locked_message()),
        status=503,
        headers={"Retry-After": str(DATABASE_LOCKED_RETRY_AFTER_SECONDS)},
    )
