from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    """The data pipeline: CSV and API imports, exports, admin uploads and the demo data."""

    name = "ingest"
    verbose_name = _("数据导入")

    def ready(self):
        # Register the app's Celery tasks in every process, not only in workers: services address them by name.
        from . import tasks  # noqa: F401
