"""Platform reads: import jobs."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qihub.core.actors import require_staff
from qihub.core.errors import NotFound
from qihub.core.models import ImportJob


def import_jobs_recent(*, actor, kind: str, limit: int = 20) -> QuerySet[ImportJob]:
    """The latest import jobs of a kind (staff only), newest first."""
    require_staff(actor)
    return ImportJob.objects.filter(kind=kind).select_related("actor")[:limit]


def import_job_get(*, actor, pk: int, kind: str | None = None) -> ImportJob:
    """One import job (staff only); NotFound if there is none (of that kind)."""
    require_staff(actor)
    jobs = ImportJob.objects.select_related("actor")
    if kind is not None:
        jobs = jobs.filter(kind=kind)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise NotFound(_("No import job %(id)s.") % {"id": pk})
    return job
