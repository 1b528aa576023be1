from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "qihub.declarations"
    label = "declarations"
    verbose_name = _("Enterprise self-declarations")

    def ready(self) -> None:
        try:
            from qihub.catalog.signals import standard_status_changed
        except ImportError:  # the catalogue sends no status signal yet
            return
        from qihub.declarations.receivers import on_standard_status_changed

        standard_status_changed.connect(
            on_standard_status_changed, dispatch_uid="declarations_recheck"
        )
