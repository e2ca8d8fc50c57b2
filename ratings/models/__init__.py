"""Models of the ratings app, one module per concern; every model is importable from here."""
from providers.models import TIER_CHOICES  # noqa: F401 (the tiers are the directory's; re-exported for ratings code)

from .engine import PendingRecompute, PeriodLock, RatingEvent, ScoreSnapshot, TierOverride  # noqa: F401
from .evidence import DIMENSION_FIELDS, Review, StorePerformance  # noqa: F401
from .moderation import ALERT_VISIBLE_DAYS, ProviderAlert, ReviewAppeal, ReviewQueue  # noqa: F401
from .policy import RatingPolicy, TierGate  # noqa: F401
