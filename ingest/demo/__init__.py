"""Deterministic, bilingual demo data at any scale: providers, stores, engagements, reviews and monthly performance.

Plain functions behind `manage.py seed_demo` and `benchmarks/recompute.py`. All randomness comes from
`random.Random` streams derived from the seed (one per phase, so a change in one phase leaves the others
alone): the same seed and the same `today` give identical rows. Ids never feed a random choice.

Shape (per provider, on average): ~8 stores with one engagement each, 50 reviews, 12 performance rows per
store. Each provider is planned towards a tier (providers.TIER_MIX: many 3★ and 4★, fewer 5★, a handful of 6★, a
minority untiered) with the stores, services and a latent quality that tier's gates ask for; the quality drives its
review ratings and platform scores, and the ratings engine, not the seed, decides the tiers, probation and
delisting; a few providers decline in recent months.

One module per kind of row (providers, stores, reviews, performance), with the names they draw from, the bulk
writing and the `demo_seed` entry point; the public names are re-exported here.
"""
from .names import (  # noqa: F401
    BRAND_HEADS,
    BRAND_TAILS,
    CATEGORY_WORD,
    CITIES,
    NAME_SUFFIXES,
    NAME_SYLLABLES,
    STORE_SUFFIXES,
)
from .performance import (  # noqa: F401
    HOUR_VALUES,
    PERFORMANCE_FIELDS,
    PERFORMANCE_MONTHS,
    RATE_VALUES,
    REFUND_BASE,
    SCORE_VALUES,
    SEASON,
    performance_rows,
)
from .providers import (  # noqa: F401
    DECLINING_SHARE,
    FEE_START,
    FEE_STEPS,
    OPTIONAL_SERVICES,
    PLATFORM_WEIGHTS,
    SIX_STAR_SERVICES,
    SIZE_EN,
    TIER_MIX,
    TIER_PLANS,
    TIER_SERVICES,
    ProviderPlan,
    allocate,
    plan_providers,
    reference_data,
)
from .reviews import (  # noqa: F401
    BODIES,
    DIMENSION_DELTAS,
    DIMENSION_SHARE,
    REPLIES,
    REPLY_SHARE,
    REVIEW_DAYS,
    REVIEW_FIELDS,
    REVIEWS_PER_PROVIDER,
    TITLES,
    UNVERIFIED_SHARE,
    review_rows,
)
from .seed import Phase, SeedResult, demo_seed  # noqa: F401
from .stores import AVERAGE_ORDER_VALUE, ENDED_SHARE, StorePlan, plan_stores  # noqa: F401
from .writing import BATCH_SIZE  # noqa: F401
