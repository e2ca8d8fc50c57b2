from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    """询价 → 方案 → 合作: a merchant's request reaches providers, who propose; the merchant hires one."""

    name = "inquiries"
    verbose_name = _("询价与合作")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the app's Celery tasks in every process, not only in workers (beat addresses them by name).
        from . import tasks  # noqa: F401
