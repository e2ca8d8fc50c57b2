from django.urls import path

from . import views

app_name = "inquiries"

urlpatterns = [
    path("requests/new/", views.request_create_view, name="create"),
    path("requests/", views.request_list_view, name="list"),
    path("requests/<int:pk>/", views.request_detail_view, name="detail"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw_view, name="withdraw"),
    path("requests/<int:pk>/bids/<int:bid_pk>/accept/", views.bid_accept_view, name="accept"),
    path("requests/<int:pk>/bids/<int:bid_pk>/report/", views.promise_report_view, name="report"),
    path("requests/<int:pk>/bids/<int:bid_pk>/message/", views.merchant_message_view, name="message"),
    path("requests/<int:pk>/bids/<int:bid_pk>/end/", views.merchant_engagement_end_view, name="end"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/email-off/<str:token>/", views.email_opt_out_view, name="email_opt_out"),
    path("portal/<slug:slug>/requests/", views.inbox_view, name="inbox"),
    path("portal/<slug:slug>/requests/<int:bid_pk>/end/", views.provider_engagement_end_view, name="provider_end"),
    path("portal/<slug:slug>/requests/<int:bid_pk>/", views.bid_detail_view, name="bid"),
    path("portal/<slug:slug>/requests/<int:bid_pk>/decline/", views.bid_decline_view, name="decline"),
    path("portal/<slug:slug>/requests/<int:bid_pk>/confirm/", views.bid_confirm_view, name="confirm"),
    path("portal/<slug:slug>/requests/<int:bid_pk>/message/", views.provider_message_view, name="provider_message"),
]
