"""Writes of the ratings app, one module per concern; the public names are re-exported here."""
from .recompute import (  # noqa: F401
    PROVIDER_RATING_FIELDS,
    RecomputeBusy,
    RecomputeResult,
    provider_reinstate,
    ratings_recompute,
    ratings_recompute_pending,
    ratings_request_recompute,
    reviews_refresh_verification,
    period_lock,
    tier_override_lift,
    tier_override_pin,
)
