from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_parameters(sender, **kwargs) -> None:
    """The built-in parameter vocabulary after every migrate, and after a
    flush (Django emits post_migrate then)."""
    if sender.label != "requirements":
        return
    from qihub.requirements.services import parameters_load

    parameters_load()


class RequirementsConfig(AppConfig):
    name = "qihub.requirements"
    label = "requirements"
    verbose_name = _("Machine-readable standards")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(
            _seed_parameters, dispatch_uid="qihub-requirements-parameters"
        )
