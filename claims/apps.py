from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    """Merchants claim their stores and provider staff their provider; stewards, graders or partners verify."""

    name = "claims"
    verbose_name = _("认领")
    default_auto_field = "django.db.models.BigAutoField"
