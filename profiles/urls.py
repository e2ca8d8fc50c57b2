from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("portal/<slug:slug>/profile/", views.profile_view, name="profile"),
    path("portal/<slug:slug>/credentials/", views.credentials_view, name="credentials"),
    path("portal/<slug:slug>/cases/", views.cases_view, name="cases"),
    # Graders open evidence from the admin too: the view decides who may, not the address.
    path("portal/evidence/<str:kind>/<int:pk>/", views.evidence_view, name="evidence"),
    path("me/cases/", views.merchant_cases_view, name="merchant-cases"),
    path("me/cases/<int:pk>/", views.merchant_case_decide_view, name="merchant-case-decide"),
]
