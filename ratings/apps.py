from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("评级")

    def ready(self):
        # Register the app's Celery tasks in every process, not only in workers: services address them by name.
        from . import tasks  # noqa: F401
