from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qihub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from qihub.core import signals  # noqa: F401
        from qihub.core.role_permissions import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="qihub-role-permissions")
