from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    name = "conduct"
    verbose_name = _("违规积分")

    def ready(self):
        # Register the app's Celery tasks in every process: the beat schedule addresses them by name.
        from . import tasks  # noqa: F401
