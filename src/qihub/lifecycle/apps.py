from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_workflow(sender, **kwargs) -> None:
    """The default workflow after every migrate, and after a flush (Django
    emits post_migrate then, as it does to re-create permissions)."""
    if sender.label != "lifecycle":
        return
    from qihub.lifecycle.workflow import workflow_ensure

    workflow_ensure()


class LifecycleConfig(AppConfig):
    name = "qihub.lifecycle"
    label = "lifecycle"
    verbose_name = _("Standard lifecycle")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from qihub.lifecycle import receivers

        receivers.connect()
        post_migrate.connect(_seed_workflow, dispatch_uid="qihub-lifecycle-workflow")
