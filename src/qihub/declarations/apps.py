from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qihub.catalog.signals import standard_status_changed


class DeclarationsConfig(AppConfig):
    name = "qihub.declarations"
    label = "declarations"
    verbose_name = _("Enterprise self-declarations")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from qihub.declarations.receivers import (
            on_organisation_saved,
            on_standard_status_changed,
        )
        from qihub.organisations.models import Organisation

        standard_status_changed.connect(
            on_standard_status_changed, dispatch_uid="declarations_recheck"
        )
        post_save.connect(
            on_organisation_saved,
            sender=Organisation,
            dispatch_uid="declarations_organisation_keys",
        )
