"""Reactions to catalogue changes: a project revising a standard that is
withdrawn or replaced elsewhere gets a note on its timeline."""

from django.utils.translation import gettext as _

from qihub.catalog.signals import standard_status_changed
from qihub.lifecycle.models import Project, ProjectEvent


def on_standard_status_changed(sender, standard, old_status, new_status, **kwargs):
    if new_status not in ("withdrawn", "replaced"):
        return
    for project in Project.objects.filter(replaces=standard, state__active=True):
        ProjectEvent.objects.create(
            project=project,
            type=ProjectEvent.Type.NOTE,
            reason=_("The revised standard %(id)s is now %(s)s in the catalogue.")
            % {"id": standard.identifier, "s": standard.get_status_display()},
            details={"standard": standard.pk, "status": [old_status, new_status]},
        )


def connect() -> None:
    standard_status_changed.connect(
        on_standard_status_changed, dispatch_uid="lifecycle_standard_status"
    )
