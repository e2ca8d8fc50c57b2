"""Reads of the ratings app, one module per concern; the public names are re-exported here."""
from .engine import (  # noqa: F401
    CENT,
    engagements_for_rating,
    overrides_in_force,
    performance_rows,
    policy_active,
    policy_gates,
    policy_to_scoring,
    previous_snapshots,
    provider_batches,
    provider_service_codes,
    providers_for_rating,
    ratings_gather_batch,
    ratings_gather_facts,
    ratings_gather_facts_exact,
    scored_review_groups,
)
from .reviews import (  # noqa: F401
    REVIEW_SORTS,
    engagement_is_reviewed,
    engagement_reviewed,
    member_reviews,
    merchant_open_engagements,
    merchant_reviewable_engagements,
    merchant_reviews,
    provider_review_platforms,
    provider_review_summary,
    provider_reviews,
    reviews_attach_engagements,
    verifying_engagement,
)
from .pages import (  # noqa: F401
    LATEST_REVIEWS,
    MIN_STORES_FOR_PERFORMANCE,
    TREND_MONTHS,
    provider_latest_snapshot,
    provider_store_performance,
    provider_trend,
    providers_for_compare,
)
from .workbench import (  # noqa: F401
    EXPORT_COLUMNS,
    provider_alerts_active,
    provider_audit_events,
    provider_snapshot_history,
    review_latest_appeals,
    review_moderation_context,
    review_queue,
    snapshot_export_rows,
)
from .preview import (  # noqa: F401
    PolicyPreview,
    TIERS,
    TierMove,
    policy_preview,
)
