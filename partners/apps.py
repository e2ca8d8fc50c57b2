from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("合作方 API")

    def ready(self):
        # Registers the API-key auth scheme with drf-spectacular (an import side effect by design).
        from . import schema  # noqa: F401
        # Connects the request signals that hold webhook jobs until the response is out: before the first request.
        from . import after_response  # noqa: F401
        # Register the app's Celery tasks in every process: ratings announces its events to them by name.
        from . import tasks  # noqa: F401
