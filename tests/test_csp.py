"""The Content-Security-Policy comes from django-csp: the settings' policy, the admin's path replacement, and the
csp.decorators on views (which the earlier home-made middleware ignored). tests/test_security.py checks the policy
on every page of the site."""
import pytest
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from django.core import checks
from django.http import HttpResponse
from django.urls import path

from tests.test_security import csp as policy_of

pytestmark = pytest.mark.django_db

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
ADMIN_POLICY = {**SITE_POLICY, "style-src": ["'self'", "'unsafe-inline'"]}


def plain(request):
    return HttpResponse("plain")


@csp_update({"img-src": ["https://img.example.com"]})
def with_update(request):
    return HttpResponse("update")


@csp_replace({"style-src": [SELF]})
def with_replace(request):
    return HttpResponse("replace")


@csp({"default-src": [SELF]})
def with_own_policy(request):
    return HttpResponse("own")


@csp_exempt()
def exempt(request):
    return HttpResponse("exempt")


def own_header(request):
    response = HttpResponse("own header")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


urlpatterns = [
    path("page/", plain),
    path("page/update/", with_update),
    path("page/exempt/", exempt),
    path("page/own-header/", own_header),
    path("admin/page/", plain),
    path("admin/page/update/", with_update),
    path("admin/page/replace/", with_replace),
    path("admin/page/own-policy/", with_own_policy),
]


def test_site_pages_and_the_admin_keep_the_policy_they_had(client, admin_client):
    assert policy_of(client.get("/")) == SITE_POLICY
    assert policy_of(client.get("/api/v1/providers/")) == SITE_POLICY
    assert policy_of(client.get("/api/docs/")) == SITE_POLICY
    assert policy_of(admin_client.get("/admin/")) == ADMIN_POLICY
    assert policy_of(client.get("/admin/login/")) == ADMIN_POLICY


@pytest.mark.urls(__name__)
def test_a_view_can_add_sources_with_csp_update(client):
    assert policy_of(client.get("/page/update/")) == {
        **SITE_POLICY, "img-src": ["'self'", "data:", "https://img.example.com"],
    }


@pytest.mark.urls(__name__)
def test_a_view_can_opt_out_with_csp_exempt(client):
    assert "Content-Security-Policy" not in client.get("/page/exempt/")
    assert policy_of(client.get("/page/")) == SITE_POLICY


@pytest.mark.urls(__name__)
def test_a_header_the_view_set_itself_is_kept(client):
    assert client.get("/page/own-header/")["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.urls(__name__)
def test_the_admin_path_replacement_applies_to_any_view_under_it_and_combines_with_csp_update(client):
    assert policy_of(client.get("/admin/page/")) == ADMIN_POLICY
    assert policy_of(client.get("/admin/page/update/")) == {
        **ADMIN_POLICY, "img-src": ["'self'", "data:", "https://img.example.com"],
    }


@pytest.mark.urls(__name__)
def test_a_views_own_replace_or_policy_wins_over_its_paths_replacement(client):
    assert policy_of(client.get("/admin/page/replace/"))["style-src"] == [SELF]
    assert policy_of(client.get("/admin/page/own-policy/")) == {"default-src": [SELF]}
    assert UNSAFE_INLINE not in client.get("/admin/page/own-policy/")["Content-Security-Policy"]


def test_old_style_csp_settings_fail_the_system_checks(settings):
    # django-csp < 4 settings would silently do nothing; with "csp" installed its check says so.
    settings.CSP_DEFAULT_SRC = ["'self'"]

    errors = checks.run_checks(tags=[checks.Tags.security])

    assert "csp.E001" in {error.id for error in errors}
