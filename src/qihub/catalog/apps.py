from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "qihub.catalog"
    label = "catalog"
    verbose_name = _("Standards catalogue")

    def ready(self) -> None:
        from qihub.catalog import receivers
        from qihub.catalog.validity import receivers as validity_receivers

        receivers.connect()
        validity_receivers.connect()
