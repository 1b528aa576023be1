from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qihub.catalog.signals import standard_status_changed


class DeclarationsConfig(AppConfig):
    name = "qihub.declarations"
    label = "declarations"
    verbose_name = _("Enterprise self-declarations")

    def ready(self) -> None:
        from qihub.declarations.receivers import on_standard_status_changed

        standard_status_changed.connect(
            on_standard_status_changed, dispatch_uid="declarations_recheck"
        )
