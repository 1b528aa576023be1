from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qihub.catalog.signals import standard_status_changed


class ConformityConfig(AppConfig):
    name = "qihub.conformity"
    label = "conformity"
    verbose_name = _("Conformity assessment")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from qihub.conformity.receivers import (
            on_organisation_saved,
            on_standard_status_changed,
        )
        from qihub.organisations.models import Organisation

        standard_status_changed.connect(
            on_standard_status_changed, dispatch_uid="conformity_flag_scope"
        )
        post_save.connect(
            on_organisation_saved,
            sender=Organisation,
            dispatch_uid="conformity_body_region",
        )
