from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The provider portal: a team's own rating, reviews inbox and team management."""

    name = "portal"
    verbose_name = _("服务商后台")
    default_auto_field = "django.db.models.BigAutoField"
