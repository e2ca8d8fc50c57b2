"""Writes of the ratings engine: recompute requests, recompute runs, overrides and reinstatement."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

import kombu.exceptions
import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.cache import directory_cache_bump
from providers.models import Provider

from .. import scoring, selectors
from ..models import PendingRecompute, PeriodLock, RatingEvent, Review, ScoreSnapshot, TierOverride

logger = logging.getLogger(__name__)

RECOMPUTE_SCHEDULED_KEY = "ratings:recompute-pending-scheduled"
# ratings.tasks imports these services, so they address its tasks by name (the names are stable: see tasks.py).
RECOMPUTE_PENDING_TASK = "ratings.tasks.ratings_recompute_pending_task"


def ratings_request_recompute(*, provider_ids: Iterable[int]) -> int:
    """Mark providers for recompute and, after commit, schedule one debounced job for all marks.

    The marks are rows, so a request survives a broker outage; the beat schedule drains them too.
    Returns how many providers were marked.
    """
    ids = sorted(set(provider_ids))
    if not ids:
        return 0
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(provider_id=pk) for pk in ids], ignore_conflicts=True, batch_size=1000
    )
    # Existing marks are touched so a run already under way keeps them for the next job.
    PendingRecompute.objects.filter(provider_id__in=ids).update(requested_at=timezone.now())
    transaction.on_commit(_schedule_pending_recompute)
    return len(ids)


def _announce_events(event_ids: list[int]) -> None:
    """Send new tier/status events to the tasks named in RATINGS_EVENT_TASKS (settings wire partners' webhooks in).

    By name, as the beat schedule does: ratings sits below the apps that react to its events and imports none.
    """
    for name in settings.RATINGS_EVENT_TASKS:
        current_app.tasks[name].delay(event_ids)


def _schedule_pending_recompute() -> None:
    delay = settings.RATINGS_RECOMPUTE_DEBOUNCE_SECONDS
    # Only the first request in a debounce window sends a job; later ones ride along with it.
    if delay and not cache.add(RECOMPUTE_SCHEDULED_KEY, 1, timeout=delay):
        return
    try:
        current_app.tasks[RECOMPUTE_PENDING_TASK].apply_async(countdown=delay or None)
    except (kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, OSError) as exc:
        # The marks are committed rows: the beat's ratings_recompute_pending_task drains them once the broker is back.
        # The request or import that made them has succeeded and must not fail now.
        logger.warning("recompute not scheduled, broker unreachable (PendingRecompute kept for beat): %s", exc)


def reviews_refresh_verification(*, provider_ids: Iterable[int] | None = None) -> int:
    """Re-derive every review's `verified` flag from engagements (two set-based UPDATEs); returns rows changed."""
    qs = Review.objects.all()
    if provider_ids is not None:
        qs = qs.filter(provider_id__in=list(provider_ids))
    rule = selectors.verifying_engagement()
    with transaction.atomic():
        gained = qs.filter(verified=False).filter(rule).update(verified=True)
        lost = qs.filter(verified=True).exclude(rule).update(verified=False)
    return gained + lost


@dataclass
class RecomputeResult:
    """What a run did: its period, how many providers it rated, and how many tier/status events it recorded."""

    period: dt.date
    as_of: dt.date
    providers: int = 0
    rated: int = 0
    events: int = 0

    def as_dict(self) -> dict:
        return {"period": self.period.strftime("%Y-%m"), "as_of": self.as_of.isoformat(), "providers": self.providers,
                "rated": self.rated, "events": self.events}


class RecomputeBusy(Exception):
    """Another run holds the period's lock for longer than we are willing to wait."""


# Provider field ← snapshot field, copied from the newest rated period.
PROVIDER_RATING_SOURCES = {
    "tier": "tier", "score": "composite", "at_risk": "at_risk", "review_count": "review_count",
    "review_average": "review_average", "status": "status",
}


# Providers rated, scored and written together: memory stays flat however many providers there are.
RECOMPUTE_BATCH_SIZE = 5000


def ratings_recompute(
    *, as_of: dt.date, provider_ids: Iterable[int] | None = None, progress: Callable[[int, int], None] | None = None
) -> RecomputeResult:
    """Rate providers (all, or the given ones) for the month containing `as_of`, using only data dated ≤ as_of.

    Set-based and streamed: each batch of `RECOMPUTE_BATCH_SIZE` providers is gathered, rated and written with a
    fixed number of queries. The run is one transaction under the period's lock, so a killed run leaves nothing
    behind and rerunning it yields identical rows.
    """
    period = scoring.month_start(as_of)
    ids = None if provider_ids is None else sorted(set(provider_ids))
    with period_lock(period), transaction.atomic():
        policy_row = selectors.policy_active()
        policy = selectors.policy_to_scoring(policy_row)
        result = RecomputeResult(period=period, as_of=as_of)
        total = None
        if progress:
            total = (Provider.objects.all() if ids is None else Provider.objects.filter(pk__in=ids)).count()
        new_event_ids: list[int] = []
        for batch in selectors.provider_batches(provider_ids=ids, size=RECOMPUTE_BATCH_SIZE):
            previous_rows = selectors.previous_snapshots(period=period, provider_ids=None, batch=batch)
            facts = selectors.ratings_gather_batch(
                as_of=as_of, period=period, policy=policy, batch=batch, previous=previous_rows
            )
            snapshots, events = [], []
            for provider_id, provider_facts in facts.items():
                rating = scoring.rate(provider_facts, policy)
                snapshots.append(_snapshot_row(provider_id, period, as_of, policy_row.pk, rating))
                events.extend(_events(provider_id, period, as_of, previous_rows.get(provider_id), rating))
                result.rated += rating.composite is not None
                result.providers += 1
                if progress and (result.providers % 500 == 0 or result.providers == total):
                    progress(result.providers, total)
            _write_snapshots(snapshots, period=period, batch=batch)
            new_event_ids += _record_events(events, period=period, batch=batch)
            result.events += len(events)
        if new_event_ids:
            # Subscribers (partners' webhooks) hear of tier/status changes only once the run is committed.
            transaction.on_commit(partial(_announce_events, new_event_ids))
        _update_providers(period, ids)
    # Cached anonymous pages must show the new ratings, but only once they are committed: a caller may hold an
    # outer transaction (the admin's recompute-now does), and a page rendered before that commit would be cached
    # under the new generation with the old data. Outside any transaction this runs at once.
    transaction.on_commit(directory_cache_bump)
    return result


def _record_events(events: list[RatingEvent], *, period: dt.date, batch) -> list[int]:
    """Store a batch's tier/status changes; returns the ids of the new ones.

    A change already recorded for this period keeps its row (and its time); stale ones go, new ones come.
    """
    system_events = batch.restrict(RatingEvent.objects.filter(
        period=period, actor__isnull=True, kind__in=[RatingEvent.Kind.TIER, RatingEvent.Kind.STATUS]
    ), "provider_id")
    recorded = {
        (provider_id, kind, before, after): pk
        for pk, provider_id, kind, before, after in system_events.values_list(
            "pk", "provider_id", "kind", "from_value", "to_value"
        )
    }
    new_events = []
    for event in events:
        if recorded.pop((event.provider_id, event.kind, event.from_value, event.to_value), None) is None:
            new_events.append(event)
    if recorded:
        RatingEvent.objects.filter(pk__in=list(recorded.values())).delete()
    RatingEvent.objects.bulk_create(new_events, batch_size=500)
    return [event.pk for event in new_events]


def _snapshot_row(provider_id, period, as_of, policy_id, rating: scoring.Rating) -> tuple:
    """One snapshot as a row of SNAPSHOT_COLUMNS, its figures' hash last."""
    figures = (
        policy_id, rating.review_score, rating.review_count, rating.review_average,
        rating.performance_score, rating.performance_rows, rating.composite, rating.active_stores,
        rating.excellent_stores, rating.candidate_tier, rating.computed_tier, rating.tier, rating.overridden,
        rating.status, rating.at_risk, rating.below_tier_months, rating.failing_months,
        json.dumps(rating.explanation, ensure_ascii=False),
    )
    return (provider_id, period, as_of, *figures, figures_hash(figures))


def figures_hash(figures: tuple) -> int:
    """A snapshot's figures (SNAPSHOT_FIGURES) as a signed 64-bit hash: equal figures, equal hash.

    Stored on the row, so a rerun tells an unchanged snapshot by one number, without sending or comparing its
    explanation. The engine always writes a figure in the same form (Decimals quantized, JSON in one key order).
    """
    # str() of each figure, not repr() of the tuple: the explanation's JSON goes in as it is, without escaping.
    digest = hashlib.blake2b("\x1f".join(map(str, figures)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


SNAPSHOT_COLUMNS = [
    "provider_id", "period", "as_of", "policy_id", "review_score", "review_count", "review_average",
    "performance_score", "performance_rows", "composite", "active_stores", "excellent_stores", "candidate_tier",
    "computed_tier", "tier", "overridden", "status", "at_risk", "below_tier_months", "failing_months", "explanation",
    "figures_hash",
]
# The figures a run computes: every column but the key, `as_of` and the hash of these.
SNAPSHOT_FIGURES = SNAPSHOT_COLUMNS[3:-1]


def _write_snapshots(rows: list[tuple], *, period: dt.date, batch) -> None:
    """Upsert a batch's snapshots, sending only the rows that may change: new, or figures of another hash.

    A row whose hash is the stored one is sent anyway when its provider was ever reinstated: whether its `as_of`
    must move is `_upsert_snapshots`' rule, not repeated here.
    """
    stored = dict(
        batch.restrict(ScoreSnapshot.objects.filter(period=period), "provider_id").values_list(
            "provider_id", "figures_hash"
        )
    )
    reinstated = {pk for pk, _status, reinstated_on in batch.rows if reinstated_on is not None}
    _upsert_snapshots([row for row in rows if stored.get(row[0]) != row[-1] or row[0] in reinstated])


def _upsert_snapshots(rows: list[tuple]) -> None:
    """Insert new (provider, period) snapshots and rewrite only those whose figures changed, in one statement.

    A snapshot's `as_of` is the evidence cut-off of the run that last changed its figures: later runs of the
    period that computed the same figures leave the row alone (a nightly rerun would otherwise rewrite every row
    and its ~1 kB explanation only to move the date, leaving a dead tuple per provider per day on PostgreSQL).
    Pages show it as "computed as of"; the figures are what every later run of the period gave too.
    The one reader that compares it, the reinstatement check in `ratings_gather_batch` (`as_of < reinstated_on`
    drops a month rated before the reinstatement), must get the answer the latest run's date would give: so the
    date is also moved, figures unchanged, when the provider's reinstatement falls between the stored as_of and
    the run's. Figures are compared by their hash (`figures_hash`).

    `INSERT … ON CONFLICT DO UPDATE` reads the same on SQLite and PostgreSQL; executemany over plain tuples
    avoids building 10,000 model instances, which cost more than the scoring itself in bulk_create.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(ScoreSnapshot._meta.db_table)
    columns = ", ".join(qn(c) for c in SNAPSHOT_COLUMNS)
    updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in SNAPSHOT_COLUMNS[2:])
    placeholders = ", ".join(["%s"] * len(SNAPSHOT_COLUMNS))
    changed = f"{table}.{qn('figures_hash')} IS DISTINCT FROM excluded.{qn('figures_hash')}"
    provider_table, as_of, reinstated_on = qn(Provider._meta.db_table), qn("as_of"), qn("reinstated_on")
    # Evaluated only for rows whose figures are equal; a NULL reinstated_on makes it false.
    crosses_reinstatement = (
        f"EXISTS (SELECT 1 FROM {provider_table} AS p WHERE p.{qn('id')} = excluded.{qn('provider_id')} "
        f"AND (p.{reinstated_on} > {table}.{as_of}) <> (p.{reinstated_on} > excluded.{as_of}))"
    )
    # A rerun that computes the same figures writes nothing (no dead tuples, no index churn).
    conflict = (
        f"ON CONFLICT ({qn('provider_id')}, {qn('period')}) DO UPDATE SET {updates} "
        f"WHERE {changed} OR {crosses_reinstatement}"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a temporary table and one INSERT … SELECT: PostgreSQL parses no 22-column VALUES lists.
            staging = qn("ratings_snapshot_staging")
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP "
                           f"AS SELECT {columns} FROM {table} WITH NO DATA")
            cursor.execute(f"TRUNCATE {staging}")
            cursor.cursor.copy_expert(f"COPY {staging} ({columns}) FROM STDIN", _copy_text(rows), size=1 << 20)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} {conflict}")
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {conflict}"
            for start in range(0, len(rows), 1000):
                cursor.executemany(sql, rows[start:start + 1000])


def _copy_text(rows: list[tuple]) -> io.StringIO:
    """Snapshot rows in COPY's text format: tab-separated, \\N for NULL, t/f, backslash and control characters escaped.

    Cheaper than CSV for ~2 kB of JSON a row, whose every quote CSV would double. Only the explanation is free text
    (json.dumps writes no raw tab or newline, but a backslash before every escaped character).
    """
    explanation = SNAPSHOT_COLUMNS.index("explanation")
    lines = []
    for row in rows:
        fields = ["\\N" if v is None else "t" if v is True else "f" if v is False else str(v) for v in row]
        text = fields[explanation]
        if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
            fields[explanation] = (
                text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            )
        lines.append("\t".join(fields))
    lines.append("")
    return io.StringIO("\n".join(lines))


def tier_label(value) -> str:
    """How an audit event records a tier: its number, or empty for none."""
    return "" if value is None else str(value)


# The engine's audit reason is stored in English because webhooks send it as it is (partners' contract); the admin
# shows it in the reader's language from engine_reason_parts.
ENGINE_REASON = "recompute {period:%Y-%m} as of {as_of}"
_ENGINE_REASON_RE = re.compile(r"^recompute (\d{4}-\d{2}) as of (\d{4}-\d{2}-\d{2})$")


def engine_reason_parts(reason: str) -> tuple[str, str] | None:
    """("2025-06", "2025-06-30") for the engine's "recompute 2025-06 as of 2025-06-30"; None for people's reasons."""
    match = _ENGINE_REASON_RE.match(reason)
    return (match[1], match[2]) if match else None


def _events(provider_id, period, as_of, previous: dict | None, rating: scoring.Rating) -> list[RatingEvent]:
    """Tier and status changes against the previous month's snapshot, attributed to the engine."""
    before_tier = previous["tier"] if previous else None
    before_status = previous["status"] if previous else scoring.ACTIVE
    if before_tier == rating.tier and before_status == rating.status:
        return []  # most providers, most days: no reason text to format
    why = ENGINE_REASON.format(period=period, as_of=as_of.isoformat())
    events = []
    if before_tier != rating.tier:
        events.append(RatingEvent(provider_id=provider_id, kind=RatingEvent.Kind.TIER, period=period,
                                  from_value=tier_label(before_tier), to_value=tier_label(rating.tier), reason=why))
    if before_status != rating.status:
        events.append(RatingEvent(provider_id=provider_id, kind=RatingEvent.Kind.STATUS, period=period,
                                  from_value=before_status, to_value=rating.status, reason=why))
    return events


def _update_providers(period: dt.date, provider_ids) -> None:
    """Copy each provider's snapshot of this period onto the provider row, if it is the newest period rated.

    One `UPDATE … FROM` the just-written snapshots (SQLite ≥ 3.33 and PostgreSQL read it alike), touching only
    rows whose values differ: every written provider row also rewrites its search indexes (trigram GIN on
    PostgreSQL), which would otherwise cost more than the whole recompute on a nightly rerun.
    """
    qn = connection.ops.quote_name
    provider_table, snapshot_table = qn(Provider._meta.db_table), qn(ScoreSnapshot._meta.db_table)
    pairs = [(qn(Provider._meta.get_field(f).column), qn(ScoreSnapshot._meta.get_field(src).column))
             for f, src in PROVIDER_RATING_SOURCES.items()]
    assignments = ", ".join(f"{dst} = s.{src}" for dst, src in pairs)
    mine = ", ".join(f"p.{dst}" for dst, _ in pairs)
    theirs = ", ".join(f"s.{src}" for _, src in pairs)
    rated = qn("rated_period")
    sql = (
        f"UPDATE {provider_table} AS p SET {assignments}, {rated} = s.{qn('period')} "
        f"FROM {snapshot_table} AS s "
        f"WHERE s.{qn('provider_id')} = p.{qn('id')} AND s.{qn('period')} = %s "
        f"AND (p.{rated} IS NULL OR p.{rated} <= %s) "
        f"AND ({mine}, p.{rated}) IS DISTINCT FROM ({theirs}, s.{qn('period')})"
    )
    params: list = [period, period]
    if provider_ids is not None:
        if not provider_ids:
            return
        sql += f" AND p.{qn('id')} IN ({', '.join(['%s'] * len(provider_ids))})"
        params += list(provider_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def ratings_recompute_pending(*, as_of: dt.date) -> int:
    """Recompute the providers marked for recompute; marks made during the run stay for the next one."""
    started = timezone.now()
    ids = list(PendingRecompute.objects.values_list("provider_id", flat=True))
    if not ids:
        return 0
    ratings_recompute(as_of=as_of, provider_ids=ids)
    PendingRecompute.objects.filter(provider_id__in=ids, requested_at__lte=started).delete()
    return len(ids)


@contextmanager
def period_lock(period: dt.date):
    """Serialize runs of one period: a Redis lock when Redis is configured, a database row lock otherwise."""
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        lock = client.lock(
            f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:ratings:recompute:{period:%Y-%m}",
            timeout=settings.RATINGS_LOCK_TIMEOUT_SECONDS,
            blocking_timeout=settings.RATINGS_LOCK_WAIT_SECONDS,
        )
        if not lock.acquire():
            raise RecomputeBusy(f"ratings for {period:%Y-%m} are being recomputed by another run")
        try:
            yield
        finally:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # expired while we ran; the data is consistent anyway (one transaction)
        return
    try:
        PeriodLock.objects.get_or_create(period=period)
    except IntegrityError:
        pass  # created by a concurrent run a moment ago
    with transaction.atomic():
        # UPDATE takes the row lock on PostgreSQL and the write lock on SQLite until the run commits.
        PeriodLock.objects.filter(period=period).update(period=period)
        yield


@transaction.atomic
def tier_override_pin(
    *, provider: Provider, tier: int, reason: str, actor, starts_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> TierOverride:
    """Pin a provider's tier (reason required, optional expiry); recorded as an event, recomputed after commit."""
    override = TierOverride(
        provider=provider, tier=tier, reason=reason.strip(), starts_on=starts_on or timezone.localdate(),
        expires_on=expires_on, created_by=actor,
    )
    override.full_clean()
    if expires_on is not None and expires_on < override.starts_on:
        raise ValidationError({"expires_on": _("到期日期不能早于生效日期。")})
    override.save()
    RatingEvent.objects.create(
        provider=provider, kind=RatingEvent.Kind.OVERRIDE, from_value=tier_label(provider.tier), to_value=str(tier),
        reason=override.reason, actor=actor,
    )
    ratings_request_recompute(provider_ids=[provider.pk])
    return override


@transaction.atomic
def tier_override_lift(*, override: TierOverride, actor, reason: str) -> TierOverride:
    """End an override today; the computed tier takes over at the recompute after commit."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写理由。")})
    override.lifted_on = timezone.localdate()
    override.save(update_fields=["lifted_on"])
    RatingEvent.objects.create(
        provider=override.provider, kind=RatingEvent.Kind.OVERRIDE, from_value=str(override.tier), to_value="",
        reason=reason.strip(), actor=actor,
    )
    ratings_request_recompute(provider_ids=[override.provider_id])
    return override


@transaction.atomic
def provider_reinstate(*, provider: Provider, actor, reason: str) -> Provider:
    """Bring a delisted or suspended provider back: failing months before today no longer count."""
    if not reason.strip():
        raise ValidationError({"reason": _("请填写理由。")})
    if provider.status not in (Provider.Status.DELISTED, Provider.Status.SUSPENDED):
        raise ValidationError({"status": _("只有已清退或已暂停的服务商可以恢复。")})
    before = provider.status
    provider.status = Provider.Status.ACTIVE
    provider.reinstated_on = timezone.localdate()
    provider.save(update_fields=["status", "reinstated_on", "updated_at"])
    RatingEvent.objects.create(
        provider=provider, kind=RatingEvent.Kind.STATUS, from_value=before, to_value=provider.status,
        reason=reason.strip(), actor=actor,
    )
    ratings_request_recompute(provider_ids=[provider.pk])
    return provider
