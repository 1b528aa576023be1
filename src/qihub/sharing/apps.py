from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "qihub.sharing"
    label = "sharing"
    verbose_name = _("Sharing between institutes")

    def ready(self) -> None:
        from qihub.sharing import signals

        signals.connect()
