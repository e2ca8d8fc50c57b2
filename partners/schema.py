"""OpenAPI description of the partner API's cross-cutting parts: the key scheme, error responses, headers."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import permissions

from .models import Scope

ERROR_DESCRIPTIONS = {
    400: "Invalid parameters or body; `errors` lists each problem with its field (and row, for ingest).",
    401: "Missing, malformed, unknown, revoked or expired API key (`WWW-Authenticate: Api-Key`).",
    403: "The API key lacks the scope this endpoint needs (`code`: `insufficient_scope`).",
    404: "No such object, or it belongs to another API key.",
    409: "The object's state does not allow this (e.g. a store claim already rejected or withdrawn).",
    422: "The Idempotency-Key was already used with a different body.",
    429: "Rate limit exceeded; retry after `Retry-After` seconds.",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Authorization: Api-Key <key>`. Keys are issued in the admin, each with the scopes "
                           "`read`, `ingest`, `webhooks` and/or `claims`. Reads also work anonymously at a low rate.",
        }


class PartnerAutoSchema(AutoSchema):
    """Adds the shared error responses, Retry-After and the anonymous-read rule to every operation."""

    def get_auth(self):
        auths = super().get_auth()
        scope = getattr(self.view, "required_scope", Scope.READ)
        if scope == Scope.READ and self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def _error_codes(self) -> list[int]:
        # Any request may carry a bad key (401), a key without the scope (403), or exceed its rate (429).
        codes = {401, 403, 429, *getattr(self.view, "extra_error_codes", ())}
        query_parameters = [p for p in self.get_override_parameters()
                            if isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY]
        takes_input = (self.get_filter_backends() or self._get_paginator() or self.method in ("POST", "PUT", "PATCH")
                       or query_parameters)
        if takes_input:
            codes.add(400)
        if "{" in self.path:
            codes.add(404)
        return sorted(codes)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        parameters.append(OpenApiParameter(
            "Retry-After", OpenApiTypes.INT, location=OpenApiParameter.HEADER, response=[429],
            description="Seconds until the rate limit window resets.",
        ))
        return parameters

    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(str(code), self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), str(code), direction=direction
            ))
        return responses
