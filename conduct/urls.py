from django.urls import path

from . import views

app_name = "conduct"

urlpatterns = [
    path("conduct/", views.policy_view, name="policy"),
    path("complaints/", views.my_complaints_view, name="my-complaints"),
    path("complaints/new/<int:engagement_id>/", views.complaint_create_view, name="complaint-create"),
    path("complaints/<int:pk>/evidence/", views.complaint_evidence_view, name="complaint-evidence"),
    path("portal/<slug:slug>/complaints/", views.portal_complaints_view, name="portal-complaints"),
    path("portal/<slug:slug>/complaints/<int:pk>/answer/", views.portal_complaint_answer_view,
         name="portal-complaint-answer"),
    path("portal/<slug:slug>/violations/<int:pk>/appeal/", views.portal_violation_appeal_view,
         name="portal-violation-appeal"),
]
