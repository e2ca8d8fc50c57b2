"""One loader per CSV format, keyed by the format's name (`ImportJob.Kind`): rows in, rows written, counts out.

Run them through `ingest.services.import_run`, which also brings the affected providers' ratings up to date.
"""
from .directory import ENGAGEMENT_COLUMNS, PROVIDER_COLUMNS, PROVIDER_RELATIONS, engagements_load, providers_load  # noqa: F401
from .evidence import PERFORMANCE_COLUMNS, REVIEW_COLUMNS, ReviewImportResult, performance_load, reviews_load  # noqa: F401
