"""Top-level URLs: merchant pages, accounts, admin, API and its schema."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import healthz, readyz
from providers.views import home_view

# Password guessing: a few tries per account name and a few more per address, each per minute.
login_view = ratelimit(key="post:username", rate="5/m", method="POST", block=True)(
    ratelimit(key="ip", rate="20/m", method="POST", block=True)(
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True)
    )
)
handler403 = "ratings.views.permission_denied_view"

urlpatterns = [
    path("", home_view, name="home"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The schema before the API's include: the API ends in a JSON 404 catch-all.
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("config.api_router")),
    # The split view serves Swagger UI's init script from ?script (a file, not inline), so the CSP needs no exception.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("providers.urls")),
    path("", include("ratings.urls")),
]
