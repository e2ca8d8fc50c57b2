"""Writes of the partner API: issuing and revoking keys, idempotent requests, webhook subscriptions and deliveries."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.chunking import MAX_PARAMS_PER_QUERY, chunks
from conduct.models import ConductEvent
from inquiries.models import Bid
from inquiries.selectors import lead_data
from ratings.models import RatingEvent

from . import http, selectors
from .models import ApiKey, IdempotentRequest, Scope, WebhookDelivery, WebhookEvent, WebhookSubscription

# last_used_at is a hint for admins, not an audit log: one write per key per this interval at most.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)
EVENT_BY_KIND = {RatingEvent.Kind.TIER: WebhookEvent.TIER_CHANGED, RatingEvent.Kind.STATUS: WebhookEvent.STATUS_CHANGED}
# Events about a provider's own requests: delivered only to that provider's keys with the leads scope.
LEAD_EVENTS = {WebhookEvent.INQUIRY_CREATED.value, WebhookEvent.ENGAGEMENT_CONFIRMED.value}
EVENT_NAMESPACE = uuid.UUID("4f1d7a52-3b53-4b4e-9a55-3c1f2f8a6d01")
USER_AGENT = "provider-directory-webhooks/1"


# API keys

def api_key_issue(*, api_key: ApiKey, created_by=None) -> str:
    """Give an unsaved key its prefix and hash, save it, and return the whole key (shown once, never stored)."""
    prefix = secrets.token_hex(6)
    raw = f"{prefix}{selectors.KEY_SEPARATOR}{secrets.token_urlsafe(32)}"
    api_key.prefix = prefix
    api_key.hashed_key = selectors.api_key_hash(raw)
    api_key.created_by = created_by
    api_key.full_clean()
    api_key.save()
    return raw


def api_key_create(
    *, name: str, scopes: Iterable[str], expires_at: dt.datetime | None = None, note: str = "", created_by=None,
    provider=None,
) -> tuple[ApiKey, str]:
    """Create a key with the given scopes; returns it with the whole key, which only this call ever sees.

    `provider` makes it that provider's own key, the only kind that may have the `leads` scope.
    """
    scopes = set(scopes)
    unknown = scopes - set(Scope.values)
    if unknown:
        raise ValidationError({"scopes": _("未知的权限：%(scopes)s") % {"scopes": ", ".join(sorted(unknown))}})
    if Scope.LEADS in scopes and provider is None:
        raise ValidationError({"scopes": _("“leads”权限只能给服务商自己的密钥（请选择所属服务商）。")})
    api_key = ApiKey(
        name=name, expires_at=expires_at, note=note, can_read=Scope.READ in scopes,
        can_ingest=Scope.INGEST in scopes, can_webhooks=Scope.WEBHOOKS in scopes,
        can_leads=Scope.LEADS in scopes, provider=provider, can_claims=Scope.CLAIMS in scopes,
    )
    return api_key, api_key_issue(api_key=api_key, created_by=created_by)


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once; it stops authenticating on its next request."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_mark_used(*, api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


# Idempotent requests

class IdempotencyKeyReused(Exception):
    """The key was used before for a request with a different body."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: dict
    replayed: bool


def request_fingerprint(data) -> str:
    """SHA-256 of the request's data in a canonical JSON form (key order and spacing do not matter)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def idempotent_call(
    *, api_key: ApiKey, endpoint: str, key: str | None, fingerprint: str, call: Callable[[], tuple[int, dict]]
) -> StoredResponse:
    """Run `call` once per (key, endpoint, Idempotency-Key): a retry gets the first successful response back.

    `call` and the record of its response commit together, so a success is never written twice, and a
    concurrent twin request loses on the unique constraint, rolls back its writes and replays the winner.
    Failures (4xx) are not remembered: they wrote nothing, and the client may fix the body and retry.
    """
    if not key:
        status, body = call()
        return StoredResponse(status, body, replayed=False)
    stored = _remembered(api_key=api_key, endpoint=endpoint, key=key, fingerprint=fingerprint)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            status, body = call()
            if 200 <= status < 300:
                IdempotentRequest.objects.create(
                    api_key=api_key, endpoint=endpoint, key=key, request_hash=fingerprint, response_status=status,
                    response_body=body,
                )
    except IntegrityError:
        stored = _remembered(api_key=api_key, endpoint=endpoint, key=key, fingerprint=fingerprint)
        if stored is None:
            raise
        return stored
    return StoredResponse(status, body, replayed=False)


def _remembered(*, api_key, endpoint, key, fingerprint) -> StoredResponse | None:
    stored = selectors.idempotent_request_get(api_key=api_key, endpoint=endpoint, key=key)
    if stored is None:
        return None
    if stored.created_at < timezone.now() - dt.timedelta(hours=settings.PARTNERS_IDEMPOTENCY_TTL_HOURS):
        stored.delete()
        return None
    if stored.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return StoredResponse(stored.response_status, stored.response_body, replayed=True)


def idempotent_requests_purge(*, now: dt.datetime | None = None) -> int:
    """Forget remembered responses older than the idempotency window; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.PARTNERS_IDEMPOTENCY_TTL_HOURS)
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Webhook subscriptions

def webhook_secret_generate() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def _subscription_clean(subscription: WebhookSubscription, *, check_url: bool = True) -> None:
    errors = {}
    if check_url:
        try:
            http.webhook_url_check(subscription.url)
        except ValidationError as exc:
            errors["url"] = exc.error_list
    events = subscription.events
    if not isinstance(events, list) or not events or not set(events) <= set(WebhookEvent.values):
        errors["events"] = [ValidationError(
            _("请选择至少一个事件：%(events)s") % {"events": ", ".join(WebhookEvent.values)}, code="invalid_events")]
    elif set(events) & LEAD_EVENTS and Scope.LEADS not in subscription.api_key.scopes:
        errors["events"] = [ValidationError(
            _("%(events)s 只对服务商自己的、带“leads”权限的密钥开放。") % {"events": ", ".join(sorted(LEAD_EVENTS))},
            code="leads_scope_required")]
    if errors:
        raise ValidationError(errors)
    subscription.events = sorted(set(events))
    subscription.full_clean()


@transaction.atomic
def webhook_subscription_create(
    *, api_key: ApiKey, url: str, events: list[str], secret: str | None = None, is_active: bool = True
) -> WebhookSubscription:
    """Subscribe a key's URL to events (optionally paused); the secret is generated unless the partner brings one."""
    # The key row is locked so two concurrent creates cannot both pass the per-key limit.
    ApiKey.objects.select_for_update().filter(pk=api_key.pk).first()
    if WebhookSubscription.objects.filter(api_key=api_key).count() >= settings.PARTNERS_WEBHOOKS_PER_KEY:
        raise ValidationError(_("每个密钥最多 %(limit)d 个订阅。") % {"limit": settings.PARTNERS_WEBHOOKS_PER_KEY})
    subscription = WebhookSubscription(
        api_key=api_key, url=url, events=events, secret=secret or webhook_secret_generate(), is_active=is_active,
        disabled_at=None if is_active else timezone.now(), disabled_reason="" if is_active else _("合作方停用"),
    )
    _subscription_clean(subscription)
    subscription.save()
    return subscription


def webhook_subscription_update(*, subscription: WebhookSubscription, **changes) -> WebhookSubscription:
    """Change url, events, secret or is_active; switching a disabled subscription back on clears its failures.

    The URL is checked (and its host resolved) only when it changes: pausing a subscription whose host no longer
    resolves must still work, and every delivery checks the address again anyway.
    """
    unknown = set(changes) - {"url", "events", "secret", "is_active"}
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    reactivated = changes.get("is_active") is True and not subscription.is_active
    for name, value in changes.items():
        setattr(subscription, name, value)
    if reactivated:
        subscription.failure_count, subscription.disabled_at, subscription.disabled_reason = 0, None, ""
    elif changes.get("is_active") is False and subscription.disabled_at is None:
        subscription.disabled_at, subscription.disabled_reason = timezone.now(), _("合作方停用")
    _subscription_clean(subscription, check_url="url" in changes)
    subscription.save()
    return subscription


def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


# Webhook deliveries

def webhook_event_payload(*, event: RatingEvent, event_id: uuid.UUID) -> dict:
    """The JSON body partners receive for one tier or status change."""
    provider = event.provider
    if event.kind == RatingEvent.Kind.TIER:
        before = int(event.from_value) if event.from_value else None
        after = int(event.to_value) if event.to_value else None
    else:
        before, after = event.from_value or None, event.to_value or None
    return {
        "id": str(event_id),
        "type": EVENT_BY_KIND[event.kind],
        "created_at": event.created_at.isoformat(),
        "data": {
            "provider": {
                "slug": provider.slug, "name": provider.name, "name_en": provider.name_en,
                "url": reverse("api:provider-detail", kwargs={"slug": provider.slug}),
            },
            "period": event.period.strftime("%Y-%m") if event.period else None,
            "from": before,
            "to": after,
            "reason": event.reason,
        },
    }


def _event_key(event: RatingEvent) -> str:
    period = event.period.strftime("%Y-%m") if event.period else "-"
    return f"{event.kind}:{event.provider_id}:{period}:{event.from_value}:{event.to_value}"


def _subscriptions_listening() -> list[WebhookSubscription]:
    """Active subscriptions of usable keys that still have the webhooks scope."""
    now = timezone.now()
    return [
        s for s in WebhookSubscription.objects.filter(is_active=True, api_key__revoked_at__isnull=True,
                                                      api_key__can_webhooks=True).select_related("api_key")
        if s.api_key.is_usable(now=now)
    ]


def _deliveries_queue(planned: list[WebhookDelivery]) -> int:
    """Store the planned deliveries and queue the new ones' sending after commit; returns how many were new.

    A delivery whose (subscription, event key) exists was sent already and is skipped; the sending is never done
    by the caller (see tasks.webhook_delivery_enqueue).
    """
    from .tasks import webhook_delivery_enqueue

    with transaction.atomic():
        # Conflicting rows (already sent) are skipped; the ids generated here tell which rows are new.
        WebhookDelivery.objects.bulk_create(planned, batch_size=500, ignore_conflicts=True)
        created = []
        for chunk in chunks([d.pk for d in planned], MAX_PARAMS_PER_QUERY):
            created.extend(WebhookDelivery.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        for pk in created:
            transaction.on_commit(lambda pk=pk: webhook_delivery_enqueue(str(pk)))
    return len(created)


def webhook_events_dispatch(*, event_ids: Iterable[int]) -> int:
    """Create a delivery per subscribed event and queue its sending after commit; returns deliveries created.

    A recompute rerun rebuilds its RatingEvents; the same change keeps its event key, so it is sent once.
    """
    subscriptions = _subscriptions_listening()
    ids = sorted(set(event_ids))
    if not subscriptions or not ids:
        return 0
    planned: list[WebhookDelivery] = []
    for chunk in chunks(ids, MAX_PARAMS_PER_QUERY):
        events = RatingEvent.objects.filter(pk__in=chunk, kind__in=list(EVENT_BY_KIND)).select_related("provider")
        for event in events:
            key = _event_key(event)
            event_id = uuid.uuid5(EVENT_NAMESPACE, key)
            payload = webhook_event_payload(event=event, event_id=event_id)
            planned.extend(
                WebhookDelivery(subscription=s, event=payload["type"], event_key=key, event_id=event_id, payload=payload)
                for s in subscriptions
                if payload["type"] in s.events
            )
    return _deliveries_queue(planned)


def sanction_event_payload(*, event: ConductEvent, as_of: dt.date, event_id: uuid.UUID) -> dict:
    """The JSON body of a sanction change: the provider, the sanction codes and its points now.

    Nothing of the evidence goes out (no complaint, complainant, merchant or grader's reason): only the outcome.
    """
    provider = event.provider
    return {
        "id": str(event_id),
        "type": WebhookEvent.SANCTION_CHANGED.value,
        "created_at": event.created_at.isoformat(),
        "data": {
            "provider": {
                "id": provider.pk, "slug": provider.slug, "name": provider.name, "name_en": provider.name_en,
                "url": reverse("api:provider-detail", kwargs={"slug": provider.slug}),
            },
            "as_of": as_of.isoformat(),
            "from": event.from_value,
            "to": event.to_value,
            "points": provider.sanction_points,
        },
    }


def conduct_events_dispatch(*, event_ids: Iterable[int], as_of: dt.date) -> int:
    """Deliveries of the ledger's sanction changes applied for `as_of` to the subscriptions that asked for them.

    Every provider's change is sent, listed or not. Each ConductEvent is one change and is never rebuilt, so its
    id is the event key: a redelivered task sends nothing twice, a second change the same day is sent again.
    Returns how many deliveries were created.
    """
    subscriptions = [s for s in _subscriptions_listening() if WebhookEvent.SANCTION_CHANGED in s.events]
    ids = sorted(set(event_ids))
    if not subscriptions or not ids:
        return 0
    planned: list[WebhookDelivery] = []
    for chunk in chunks(ids, MAX_PARAMS_PER_QUERY):
        events = ConductEvent.objects.filter(pk__in=chunk, kind=ConductEvent.Kind.SANCTION_CHANGED).select_related(
            "provider")
        for event in events:
            key = f"{WebhookEvent.SANCTION_CHANGED.value}:{event.pk}"
            event_id = uuid.uuid5(EVENT_NAMESPACE, key)
            payload = sanction_event_payload(event=event, as_of=as_of, event_id=event_id)
            planned.extend(WebhookDelivery(subscription=s, event=payload["type"], event_key=key, event_id=event_id,
                                           payload=payload) for s in subscriptions)
    return _deliveries_queue(planned)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>`: the timestamp is signed, so it cannot be replayed fresh."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def webhook_backoff_seconds(*, attempt: int) -> int:
    """Seconds before the retry that follows failed attempt number `attempt` (1, 2, …): doubling, capped."""
    base = settings.PARTNERS_WEBHOOK_BACKOFF_SECONDS
    return min(base * 2 ** (attempt - 1), settings.PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS)


def webhook_delivery_attempt(
    *, delivery_id, now_ts: int | None = None, timeout: float | None = None
) -> WebhookDelivery | None:
    """Make one attempt to send a delivery and record it; the returned status says whether to retry.

    `timeout` (seconds, for the connection and the answer) defaults to PARTNERS_WEBHOOK_TIMEOUT_SECONDS.

    Returns None when the delivery is gone or was already finished (or claimed by a concurrent attempt).
    """
    delivery = WebhookDelivery.objects.select_related("subscription__api_key").filter(pk=delivery_id).first()
    if delivery is None or delivery.status not in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING):
        return None
    subscription = delivery.subscription
    if not subscription.is_active or not subscription.api_key.is_usable() or not subscription.api_key.can_webhooks:
        delivery.status, delivery.error, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, "subscription disabled", None
        delivery.save(update_fields=["status", "error", "next_attempt_at"])
        return delivery
    # Claim the attempt: a redelivered task racing this one finds the counter moved and stops.
    started = timezone.now()
    claimed = WebhookDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts, status=delivery.status).update(
        attempts=F("attempts") + 1, last_attempt_at=started
    )
    if not claimed:
        return None
    delivery.attempts, delivery.last_attempt_at = delivery.attempts + 1, started
    timestamp = now_ts if now_ts is not None else int(time.time())
    body = webhook_body(delivery.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Delivery": str(delivery.pk),
        "X-Timestamp": str(timestamp),
        "X-Signature": webhook_signature(secret=subscription.secret, timestamp=timestamp, body=body),
    }
    permanent = False
    try:
        response = http.webhook_post(url=subscription.url, body=body, headers=headers,
                                     timeout=timeout or settings.PARTNERS_WEBHOOK_TIMEOUT_SECONDS)
        delivery.response_status, delivery.response_body = response.status, response.body
        ok = 200 <= response.status < 300
        delivery.error = "" if ok else f"HTTP {response.status}"
    except http.WebhookTransportError as exc:
        ok, permanent = False, exc.permanent
        delivery.response_status, delivery.response_body, delivery.error = None, "", str(exc)[:300]
    _record_outcome(delivery, ok=ok, permanent=permanent)
    return delivery


@transaction.atomic
def _record_outcome(delivery: WebhookDelivery, *, ok: bool, permanent: bool) -> None:
    now = timezone.now()
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, now, None
        if subscription.failure_count:
            subscription.failure_count = 0
            subscription.save(update_fields=["failure_count", "updated_at"])
    elif not permanent and delivery.attempts < settings.PARTNERS_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = delivery.last_attempt_at + dt.timedelta(seconds=webhook_backoff_seconds(attempt=delivery.attempts))
    else:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        subscription.failure_count += 1
        if subscription.is_active and subscription.failure_count >= settings.PARTNERS_WEBHOOK_DISABLE_AFTER_FAILURES:
            subscription.is_active, subscription.disabled_at = False, now
            subscription.disabled_reason = _("连续 %(count)d 次投递失败，已自动停用。") % {"count": subscription.failure_count}
        subscription.save(update_fields=["failure_count", "is_active", "disabled_at", "disabled_reason", "updated_at"])
    delivery.save(update_fields=[
        "status", "response_status", "response_body", "error", "next_attempt_at", "delivered_at",
    ])


def lead_event_payload(*, bid, event_type: str, event_id: uuid.UUID) -> dict:
    """The JSON body of a lead event: the request's needs as the provider may see them (never the merchant)."""
    return {"id": str(event_id), "type": event_type, "created_at": timezone.now().isoformat(), "data": lead_data(bid)}


def lead_events_dispatch(*, event_type: str, bid_ids: Iterable[int]) -> int:
    """Deliveries of one lead event to the subscriptions of each bid's own provider keys; returns how many."""
    now = timezone.now()
    bids = list(Bid.objects.filter(pk__in=list(bid_ids)).select_related(
        "provider", "engagement", "request__platform", "request__category").prefetch_related("request__services"))
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(
            is_active=True, api_key__revoked_at__isnull=True, api_key__can_webhooks=True, api_key__can_leads=True,
            api_key__provider_id__in={bid.provider_id for bid in bids}).select_related("api_key")
        if s.api_key.is_usable(now=now) and event_type in s.events
    ]
    planned = []
    for bid in bids:
        key = f"{event_type}:{bid.pk}"
        event_id = uuid.uuid5(EVENT_NAMESPACE, key)
        payload = lead_event_payload(bid=bid, event_type=event_type, event_id=event_id)
        planned.extend(WebhookDelivery(subscription=s, event=event_type, event_key=key, event_id=event_id,
                                       payload=payload)
                       for s in subscriptions if s.api_key.provider_id == bid.provider_id)
    return _deliveries_queue(planned)
