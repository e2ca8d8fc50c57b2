"""Partner API over the ratings engine: the active policy and its tier gates."""
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ratings.selectors import policy_active
from ratings.serializers import PolicySerializer, TierGateSerializer

from ..models import Scope

class PolicyView(APIView):
    """The rating policy in force."""

    required_scope = throttle_scope = Scope.READ

    @extend_schema(summary="The active rating policy: weights, thresholds and tier gates", responses=PolicySerializer)
    def get(self, request):
        return Response(PolicySerializer(policy_active()).data)


class TierListView(APIView):
    """The active policy's tier gates, 6★ first."""

    required_scope = throttle_scope = Scope.READ

    @extend_schema(summary="Tier gates of the active policy, highest first", responses=TierGateSerializer(many=True))
    def get(self, request):
        return Response(TierGateSerializer(policy_active().gates.all(), many=True).data)


