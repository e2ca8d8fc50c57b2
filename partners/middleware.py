"""Response compression for the API only."""
from django.middleware.gzip import GZipMiddleware

API_PREFIX = "/api/"


class ApiGZipMiddleware(GZipMiddleware):
    """GZip for /api/ responses alone.

    BREACH needs a secret and attacker-chosen text in one compressed response fetched with the victim's
    ambient credentials. Pages carry CSRF tokens and session cookies, so they stay uncompressed; the API
    authenticates with an Authorization header a browser never adds on its own.
    """

    def process_response(self, request, response):
        if not request.path.startswith(API_PREFIX):
            return response
        return super().process_response(request, response)
