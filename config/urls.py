"""Top-level URLs: merchant pages, accounts, admin, API and its schema."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.account_data import account_export_view
from config.accounts import SignOutView, admin_site_protect, login_view
from config.health import healthz, readyz
from providers.views import home_view

handler403 = "config.errors.permission_denied_view"

# Staff sign in on the admin's own page, under the same throttle as the site's (django-axes locks out both).
admin_site_protect(admin.site)

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    # django-allauth's pages (sign-up, verification, reset, e-mail change, two-factor) under the same prefix; the
    # two above take its login and logout paths, so allauth's account_login is the throttled page.
    path("accounts/export/", account_export_view, name="account-export"),
    path("", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The schema before the API's include: the API ends in a JSON 404 catch-all.
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("config.api_router")),
    # The split view serves Swagger UI's init script from ?script (a file, not inline), so the CSP needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("inquiries.urls")),
    path("", include("profiles.urls")),
    path("", include("portal.urls")),
    path("", include("claims.urls")),
    path("", include("conduct.urls")),
    path("", include("providers.urls")),
    path("", include("ratings.urls")),
]
