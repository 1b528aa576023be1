from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "qihub.organisations"
    label = "organisations"
    verbose_name = _("Organisations and networks")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from qihub.organisations.profile import COUNTED_MODELS, counts_changed

        for label in COUNTED_MODELS:
            model = apps.get_model(label)
            uid = f"organisations_tally_{label}"
            post_save.connect(counts_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(counts_changed, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    counts_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}_{field.name}",
                )
