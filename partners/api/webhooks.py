"""Partner endpoints: webhook subscriptions and their delivery log; the JSON 404 for unknown API paths."""
import uuid

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .. import selectors, services
from ..authentication import request_api_key
from ..models import Scope, WebhookSubscription
from ..pagination import Key, KeysetPagination
from ..serializers import WebhookDeliverySerializer, WebhookSubscriptionCreatedSerializer, WebhookSubscriptionSerializer
from ..validation import django_errors_as_drf

NEWEST_FIRST = (Key("created_at", descending=True), Key("pk", descending=True))


@extend_schema_view(
    list=extend_schema(summary="List this key's webhook subscriptions"),
    create=extend_schema(summary="Subscribe a URL to events", responses={201: WebhookSubscriptionCreatedSerializer}),
    retrieve=extend_schema(summary="One subscription"),
    partial_update=extend_schema(summary="Change URL, events, secret or is_active (true re-enables)"),
    destroy=extend_schema(summary="Delete a subscription and its delivery log"),
    deliveries=extend_schema(summary="The subscription's delivery log, newest first",
                             responses=WebhookDeliverySerializer(many=True)),
)
class WebhookSubscriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                                 viewsets.GenericViewSet):
    """A key's own webhook subscriptions (scope `webhooks`); other keys' subscriptions are 404."""

    serializer_class = WebhookSubscriptionSerializer
    pagination_class = KeysetPagination
    required_scope = Scope.WEBHOOKS
    throttle_scope = Scope.WEBHOOKS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        api_key = request_api_key(self.request)
        if api_key is None:  # schema generation
            return WebhookSubscription.objects.none()
        return selectors.webhook_subscriptions_of(api_key=api_key)

    def keyset_keys(self, request):
        return NEWEST_FIRST

    def keyset_signature(self, request):
        return self.action

    def get_object(self):
        # A non-UUID id can never match: 404 rather than a database error.
        try:
            uuid.UUID(str(self.kwargs["pk"]))
        except ValueError:
            raise NotFound() from None
        return super().get_object()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with django_errors_as_drf():
            subscription = services.webhook_subscription_create(api_key=request_api_key(request),
                                                                **serializer.validated_data)
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = self.get_serializer(subscription, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with django_errors_as_drf():
            subscription = services.webhook_subscription_update(subscription=subscription,
                                                                **serializer.validated_data)
        return Response(self.get_serializer(subscription).data)

    def perform_destroy(self, instance):
        services.webhook_subscription_delete(subscription=instance)

    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        page = self.paginate_queryset(selectors.webhook_deliveries_of(subscription=subscription))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@throttle_classes([])
def api_not_found(request, path=""):
    """Unknown paths under /api/v1/ answer in the API's JSON error shape, not the site's HTML 404 page."""
    raise NotFound()
