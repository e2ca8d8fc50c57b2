from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/delete/", views.account_delete_view, name="delete"),
]
