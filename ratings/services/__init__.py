"""Writes of the ratings app, one module per concern; the public names are re-exported here."""
from .recompute import (  # noqa: F401
    PROVIDER_RATING_SOURCES,
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
from .grading import provider_suspend, providers_recompute_later, providers_recompute_now  # noqa: F401,E402
from .imports import (  # noqa: F401,E402
    import_job_confirm,
    import_job_create,
    import_job_progress,
    import_job_run,
    import_jobs_fail_stuck,
    import_permission,
)
from .moderation import (  # noqa: F401,E402
    APPROVE,
    MALICIOUS,
    REJECT,
    provider_alert_post,
    provider_alert_withdraw,
    review_appeal_file,
    review_appeal_submit,
    reviews_confirm_manipulation,
    reviews_flag_bursts,
    reviews_moderate,
)
from .policy import PolicyPreview, policy_activate, policy_draft_create, policy_preview  # noqa: F401,E402
from .recompute import ratings_gather_facts  # noqa: F401,E402
from .reviews import review_is_editable, review_reply, review_submit, review_update  # noqa: F401,E402
