from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "qihub.lifecycle"
    label = "lifecycle"
    verbose_name = _("Standard lifecycle")

    def ready(self) -> None:
        from qihub.lifecycle import receivers

        receivers.connect()
