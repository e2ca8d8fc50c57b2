from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("portal/", views.portal_index_view, name="index"),
    # Before the provider pages: "invitations" is not a provider.
    path("portal/invitations/<str:token>/", views.invitation_view, name="invitation"),
    path("portal/<slug:slug>/", views.rating_view, name="rating"),
    path("portal/<slug:slug>/reviews/", views.reviews_view, name="reviews"),
    path("portal/<slug:slug>/team/", views.team_view, name="team"),
    path("portal/<slug:slug>/team/invite/", views.team_invite_view, name="invite"),
    path("portal/<slug:slug>/team/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="revoke"),
    path("portal/<slug:slug>/team/members/<int:pk>/role/", views.member_role_view, name="role"),
    path("portal/<slug:slug>/team/members/<int:pk>/remove/", views.member_remove_view, name="remove"),
]
