"""ETag / If-None-Match for read endpoints whose body is cheap to build but worth not sending again."""
import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

ETAG_PARAMETERS = [
    OpenApiParameter("If-None-Match", OpenApiTypes.STR, location=OpenApiParameter.HEADER, required=False,
                     description="An ETag from an earlier response: 304 with no body if unchanged."),
    OpenApiParameter("ETag", OpenApiTypes.STR, location=OpenApiParameter.HEADER, response=[200],
                     description="Strong validator of the body (weak, W/, when gzipped)."),
]


class ETagMixin:
    """Adds an ETag (a hash of the rendered body) to 200 GET responses of `etag_actions`; answers 304 on a match."""

    etag_actions: tuple[str, ...] = ()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (request.method not in ("GET", "HEAD") or response.status_code != 200
                or getattr(self, "action", None) not in self.etag_actions):
            return response
        response.render()
        response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
        return get_conditional_response(request, etag=response["ETag"], response=response)
