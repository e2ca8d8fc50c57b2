"""Partner API of the data pipeline: bulk upserts of monthly store performance and of conduct violations, validated
and written like their CSV imports, idempotent under a retry."""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from conduct.models import Violation
from partners.authentication import request_api_key
from partners.exceptions import error_body, error_item
from partners.models import Scope
from partners.serializers import ErrorSerializer
from partners.services import IdempotencyKeyReused, idempotent_call, request_fingerprint

from .csv_import import ImportFailed, RowError
from .importers.conduct import violations_load
from .serializers import (
    PerformanceIngestDocSerializer, PerformanceIngestResultSerializer, PerformanceIngestSerializer,
    ViolationIngestDocSerializer, ViolationIngestResultSerializer,
)
from .services import import_performance

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 255


def row_errors_body(row_errors: list[RowError]) -> dict:
    """The 400 body of an import that failed: one item per row error, rows numbered from 0 (list indexes)."""
    return error_body(
        status_code=status.HTTP_400_BAD_REQUEST, code="invalid_rows",
        message=_("共 %(count)d 处错误，未写入任何数据。") % {"count": len(row_errors)},
        errors=[error_item(field=e.column, row=e.row, message=e.message, code=e.code) for e in row_errors],
    )


class IdempotencyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "此 Idempotency-Key 已用于内容不同的请求。"
    default_code = "idempotency_key_reused"


class RowsIngestView(APIView):
    """A bulk upsert of rows in one importer's columns (scope `ingest`): all rows or none, idempotent under a retry.

    Subclasses name the endpoint (the idempotency records' key) and `load(rows, dry_run)` → the 200 body.
    """

    required_scope = throttle_scope = Scope.INGEST
    extra_error_codes = (422,)
    endpoint: str

    def load(self, rows, *, dry_run: bool) -> dict:  # pragma: no cover - each endpoint names its importer
        raise NotImplementedError

    def ingest(self, request):
        serializer = PerformanceIngestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows, dry_run = serializer.validated_data["rows"], serializer.validated_data["dry_run"]
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
        if key is not None and len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
            raise ValidationError({IDEMPOTENCY_HEADER: [f"at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters"]})

        def ingest() -> tuple[int, dict]:
            try:
                return status.HTTP_200_OK, self.load(rows, dry_run=dry_run)
            except ImportFailed as exc:
                return status.HTTP_400_BAD_REQUEST, row_errors_body(exc.errors)

        try:
            outcome = idempotent_call(
                api_key=request_api_key(request), endpoint=self.endpoint, key=key,
                fingerprint=request_fingerprint(serializer.validated_data), call=ingest,
            )
        except IdempotencyKeyReused:
            raise IdempotencyConflict() from None
        response = Response(outcome.body, status=outcome.status)
        if outcome.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def _ingest_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, location=OpenApiParameter.HEADER, required=False,
                         description="Any unique string (≤255): a retry with the same key and body returns "
                                     "the first successful response and writes nothing again (24 h)."),
        OpenApiParameter("Idempotent-Replayed", OpenApiTypes.STR, location=OpenApiParameter.HEADER,
                         response=[200], description="`true` when this is the stored first response."),
    ]


INVALID_ROWS = OpenApiResponse(ErrorSerializer, description="Malformed body, or rows that fail validation: "
                               "`code` `invalid_rows`, one item per problem with `row` (0-based) and `field`.")


class PerformanceIngestView(RowsIngestView):
    """Bulk upsert of monthly store performance (scope `ingest`), validated and written like the CSV import."""

    endpoint = "performance"

    def load(self, rows, *, dry_run: bool) -> dict:
        result = import_performance(rows=rows, dry_run=dry_run, first_row=0)
        return PerformanceIngestResultSerializer({
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "dry_run": dry_run, "recompute_requested": 0 if dry_run else len(result.affected_provider_ids),
        }).data

    @extend_schema(
        summary="Upload monthly store performance (all rows or none)", request=PerformanceIngestDocSerializer,
        parameters=_ingest_parameters(), responses={200: PerformanceIngestResultSerializer, 400: INVALID_ROWS},
    )
    def post(self, request):
        return self.ingest(request)


class ViolationIngestView(RowsIngestView):
    """Bulk upsert of conduct violations (scope `ingest`), validated and written like `import_violations`; the
    conduct ledger is applied to the providers touched at once."""

    endpoint = "violations"

    def load(self, rows, *, dry_run: bool) -> dict:
        result = violations_load(rows=rows, dry_run=dry_run, first_row=0, source=Violation.Source.API)
        return ViolationIngestResultSerializer({
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged, "dry_run": dry_run,
        }).data

    @extend_schema(
        summary="Upload conduct violations (all rows or none)", request=ViolationIngestDocSerializer,
        parameters=_ingest_parameters(), responses={200: ViolationIngestResultSerializer, 400: INVALID_ROWS},
    )
    def post(self, request):
        return self.ingest(request)
