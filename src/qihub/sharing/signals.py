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


def _pool_saved(kind: str, data_of):
    def saved(sender, instance, **kwargs):
        from qihub.sharing import publishing, services

        if kind in services.enabled_kinds():
            data = getattr(publishing, data_of)(instance)
            services.record_changed(kind=kind, key=str(instance.pk), data=data)

    return saved


def _pool_deleted(kind: str):
    def deleted(sender, instance, **kwargs):
        from qihub.sharing import services

        services.record_changed(kind=kind, key=str(instance.pk), data=None)

    return deleted


_expert_saved = _pool_saved("expert", "expert_data")
_expert_deleted = _pool_deleted("expert")
_held_text_saved = _pool_saved("held_text", "held_text_data")
_held_text_deleted = _pool_deleted("held_text")


def connect() -> None:
    from qihub.catalog.models import Standard
    from qihub.lifecycle.models import Consultation, Project, ResearchProject
    from qihub.pool.models import Expert, HeldText

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
    post_save.connect(_expert_saved, sender=Expert, dispatch_uid=f"{uid}.e")
    post_delete.connect(_expert_deleted, sender=Expert, dispatch_uid=f"{uid}.ed")
    post_save.connect(_held_text_saved, sender=HeldText, dispatch_uid=f"{uid}.h")
    post_delete.connect(_held_text_deleted, sender=HeldText, dispatch_uid=f"{uid}.hd")
