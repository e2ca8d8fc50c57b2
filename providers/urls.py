from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("providers/", views.provider_list_view, name="list"),
    path("providers/<slug:slug>/", views.provider_detail_view, name="detail"),
    path("compare/", views.compare_view, name="compare"),
    path("compare/change/", views.compare_change_view, name="compare_change"),
]
