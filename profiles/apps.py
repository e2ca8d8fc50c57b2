from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """What a provider says of itself, moderated: profile change requests, platform credentials, cases."""

    name = "profiles"
    verbose_name = _("服务商资料")
    default_auto_field = "django.db.models.BigAutoField"
