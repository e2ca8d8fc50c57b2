"""Response compression: the API, and the pages anonymous visitors get."""
from django.middleware.gzip import GZipMiddleware

API_PREFIX = "/api/"


class ApiGZipMiddleware(GZipMiddleware):
    """GZip for /api/ responses and for pages served to anonymous visitors; signed-in pages stay uncompressed.

    BREACH needs a secret and attacker-chosen text in one compressed response fetched with the victim's
    ambient credentials. The API authenticates with an Authorization header a browser never adds on its own.
    An anonymous page holds no secret but its CSRF token, which Django masks afresh on every response (so it
    never repeats byte for byte), and Django's GZipMiddleware (since 4.2) pads each body with random bytes in the
    gzip header ("Heal The Breach"); that page is the one every visitor sees (the directory caches it). A
    signed-in page also shows the account's own address and links beside reflected query text, so those stay
    plain: a slower page for a few signed-in users, no oracle on anyone's session.
    """

    def process_response(self, request, response):
        user = getattr(request, "user", None)
        if not request.path.startswith(API_PREFIX) and (user is None or user.is_authenticated):
            return response
        return super().process_response(request, response)
