from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("tiers/", views.policy_detail_view, name="tiers"),
    path("providers/<slug:slug>/reviews/new/", views.review_create_view, name="create"),
    path("reviews/<int:pk>/edit/", views.review_edit_view, name="edit"),
    path("reviews/<int:pk>/reply/", views.review_reply_view, name="reply"),
    path("reviews/<int:pk>/appeal/", views.review_appeal_view, name="appeal"),
    path("me/reviews/", views.review_list_view, name="mine"),
]
