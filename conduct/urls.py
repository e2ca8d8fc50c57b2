from django.urls import path

from . import views

app_name = "conduct"

urlpatterns = [
    path("conduct/", views.policy_view, name="policy"),
]
