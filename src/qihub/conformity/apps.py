from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qihub.catalog.signals import standard_status_changed


class ConformityConfig(AppConfig):
    name = "qihub.conformity"
    label = "conformity"
    verbose_name = _("Conformity assessment")

    def ready(self) -> None:
        from qihub.conformity.receivers import on_standard_status_changed

        standard_status_changed.connect(
            on_standard_status_changed, dispatch_uid="conformity_flag_scope"
        )
