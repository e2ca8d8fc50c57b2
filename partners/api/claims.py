"""Partner endpoint of store claims: a platform partner verifies (or rejects) a merchant's pending claim.

Scope `claims`. The rules are claims.services'; this view parses, maps outcomes to status codes and names the
key as the actor in the claim's audit (`api-key:<prefix>`).
"""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import StoreClaim
from claims.selectors import store_claim_get
from claims.services import api_key_actor_label, store_claim_reject, store_claim_verify
from claims.states import ClaimStateError

from ..authentication import request_api_key
from ..models import Scope
from ..serializers import ErrorSerializer
from ..validation import django_errors_as_drf

VERIFY, REJECT = "verify", "reject"


class StoreClaimDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[VERIFY, REJECT], default=VERIFY,
                                       help_text="`verify` (default) or `reject`.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text="Required with `reject`: shown to the merchant.")


class StoreClaimSerializer(serializers.ModelSerializer):
    platform = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = StoreClaim
        fields = ["id", "platform", "external_id", "store_name", "status", "reason", "created_at", "decided_at"]
        read_only_fields = fields


class ClaimConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The claim is already decided."
    default_code = "claim_decided"


class StoreClaimVerifyView(APIView):
    """Verify or reject a pending store claim (scope `claims`); verifying an already verified claim is a no-op."""

    required_scope = throttle_scope = Scope.CLAIMS
    extra_error_codes = (409,)

    @extend_schema(
        summary="Verify (or reject) a merchant's pending store claim",
        description="Verifying links the merchant's account to the store (created from the claim if the "
                    "directory does not have it yet). Idempotent: verifying an already verified claim returns it "
                    "unchanged with 200. A rejected or withdrawn claim is final (409).",
        request=StoreClaimDecisionSerializer,
        responses={
            200: StoreClaimSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The claim was already rejected or withdrawn, or a "
                                 "verified claim was asked to be rejected (`code` `claim_decided`)."),
        },
    )
    def post(self, request, pk: int):
        claim = store_claim_get(pk=pk)
        if claim is None:
            raise NotFound(_("没有这条店铺认领。"))
        serializer = StoreClaimDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor_label = api_key_actor_label(request_api_key(request).prefix)
        try:
            with django_errors_as_drf():
                if serializer.validated_data["decision"] == VERIFY:
                    claim = store_claim_verify(claim=claim, actor_label=actor_label)
                else:
                    claim = store_claim_reject(claim=claim, reason=serializer.validated_data.get("reason", ""),
                                               actor_label=actor_label)
        except ClaimStateError as exc:
            raise ClaimConflict(str(exc)) from None
        return Response(StoreClaimSerializer(claim).data)
