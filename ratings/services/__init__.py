"""Writes of the ratings app, one module per concern; the public names are re-exported here."""
from .grading import (  # noqa: F401
    RECOMPUTE_IN_REQUEST_MAX,
    provider_suspend,
    providers_recompute,
    providers_recompute_later,
    providers_recompute_now,
)
from .moderation import (  # noqa: F401
    APPROVE,
    MALICIOUS,
    REJECT,
    provider_alert_post,
    provider_alert_withdraw,
    review_appeal_file,
    review_appeal_submit,
    review_reply_moderate,
    reviews_confirm_manipulation,
    reviews_flag_bursts,
    reviews_moderate,
)
from .policy import policy_activate, policy_draft_create  # noqa: F401
from .recompute import (  # noqa: F401
    PROVIDER_RATING_SOURCES,
    RecomputeBusy,
    RecomputeResult,
    period_lock,
    provider_reinstate,
    ratings_recompute,
    ratings_recompute_pending,
    ratings_request_recompute,
    reviews_refresh_verification,
    tier_override_lift,
    tier_override_pin,
)
from .reviews import review_is_editable, review_reply, review_submit, review_update  # noqa: F401
