"""The site's error pages that need a view: 403, and 429 for a rate-limited request."""
from django.http import HttpResponse
from django.template.loader import render_to_string
from django_ratelimit.exceptions import Ratelimited


def permission_denied_view(request, exception=None):
    """403 page; a rate-limited request (django-ratelimit raises PermissionDenied) gets 429 Too Many Requests."""
    if isinstance(exception, Ratelimited):
        html = render_to_string("429.html", request=request)
        return HttpResponse(html, status=429)
    return HttpResponse(render_to_string("403.html", {"exception": exception}, request=request), status=403)
