"""Request ids (X-Request-ID), the Content-Security-Policy header, and refusing NUL in query strings."""
import re
import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse

from config.logging import request_id_var

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


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets settings.CSP_DIRECTIVES, with per-path-prefix overrides (CSP_PATH_OVERRIDES), unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.default = _policy(settings.CSP_DIRECTIVES)
        self.overrides = [
            (prefix, _policy({**settings.CSP_DIRECTIVES, **changes}))
            for prefix, changes in getattr(settings, "CSP_PATH_OVERRIDES", {}).items()
        ]

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = next((p for prefix, p in self.overrides if request.path.startswith(prefix)), self.default)
            response["Content-Security-Policy"] = policy
        return response


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
                from partners.exceptions import error_body  # the API's one error shape

                return JsonResponse(error_body(status_code=400, code="invalid_query", message=message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
