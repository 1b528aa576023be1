"""Published records write their changes to the outbox when they are saved
or deleted (bulk writes that bypass signals are re-published by turning the
kind off and on)."""

from django.db.models.signals import post_delete, post_save


def _standard_saved(sender, instance, **kwargs):
    from qihub.sharing import publishing, services

    kind, key, data = publishing.standard_data(instance)
    for other in ("local_standard", "group_standard"):
        if other != kind:
            # The level changed away from a published kind: a tombstone.
            services.record_changed(kind=other, key=key, data=None)
    if kind:
        services.record_changed(kind=kind, key=key, data=data)


def _standard_deleted(sender, instance, **kwargs):
    from qihub.sharing import publishing, services

    kind, key, _data = publishing.standard_data(instance)
    if kind:
        services.record_changed(kind=kind, key=key, data=None)


def _project_saved(sender, instance, **kwargs):
    from qihub.sharing import publishing, services

    if "project" in services.enabled_kinds():
        services.record_changed(
            kind="project", key=instance.code, data=publishing.project_data(instance)
        )


def _project_deleted(sender, instance, **kwargs):
    from qihub.sharing import services

    services.record_changed(kind="project", key=instance.code, data=None)


def _research_saved(sender, instance, **kwargs):
    from qihub.sharing import publishing, services

    services.record_changed(
        kind="research", key=instance.code, data=publishing.research_data(instance)
    )


def _research_deleted(sender, instance, **kwargs):
    from qihub.sharing import services

    services.record_changed(kind="research", key=instance.code, data=None)


def _consultation_saved(sender, instance, **kwargs):
    from qihub.sharing import publishing, services

    if "consultation" in services.enabled_kinds():
        services.record_changed(
            kind="consultation",
            key=str(instance.pk),
            data=publishing.consultation_data(instance),
        )


def _consultation_deleted(sender, instance, **kwargs):
    from qihub.sharing import services

    services.record_changed(kind="consultation", key=str(instance.pk), data=None)


def connect() -> None:
    from qihub.catalog.models import Standard
    from qihub.lifecycle.models import Consultation, Project, ResearchProject

    uid = "qihub.sharing"
    post_save.connect(_standard_saved, sender=Standard, dispatch_uid=f"{uid}.s")
    post_delete.connect(_standard_deleted, sender=Standard, dispatch_uid=f"{uid}.sd")
    post_save.connect(_project_saved, sender=Project, dispatch_uid=f"{uid}.p")
    post_delete.connect(_project_deleted, sender=Project, dispatch_uid=f"{uid}.pd")
    post_save.connect(_research_saved, sender=ResearchProject, dispatch_uid=f"{uid}.r")
    post_delete.connect(
        _research_deleted, sender=ResearchProject, dispatch_uid=f"{uid}.rd"
    )
    post_save.connect(_consultation_saved, sender=Consultation, dispatch_uid=f"{uid}.c")
    post_delete.connect(
        _consultation_deleted, sender=Consultation, dispatch_uid=f"{uid}.cd"
    )
