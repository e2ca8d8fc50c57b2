from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("服务商目录")

    def ready(self):
        # Signing in keeps the compare shortlist picked before it (providers.shortlist.shortlist_merge).
        user_logged_in.connect(_merge_shortlist, dispatch_uid="providers.shortlist_merge")


def _merge_shortlist(sender, request, user, **kwargs):
    from .shortlist import shortlist_merge  # models are not loaded when apps.py is imported

    if request is not None and hasattr(request, "session"):
        shortlist_merge(request, user=user)
