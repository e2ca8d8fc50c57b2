from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("me/", views.my_stores_view, name="mine"),
    path("me/claims/new/", views.store_claim_create_view, name="store-claim-new"),
    path("me/claims/<int:pk>/withdraw/", views.store_claim_withdraw_view, name="store-claim-withdraw"),
    path("me/claims/<int:pk>/evidence/", views.store_claim_evidence_view, name="store-claim-evidence"),
    path("me/provider-claims/", views.provider_claims_view, name="provider-claims"),
    path("me/provider-claims/new/", views.provider_claim_create_view, name="provider-claim-new"),
    path("me/provider-claims/<int:pk>/withdraw/", views.provider_claim_withdraw_view,
         name="provider-claim-withdraw"),
    path("me/provider-claims/<int:pk>/evidence/", views.provider_claim_evidence_view,
         name="provider-claim-evidence"),
]
