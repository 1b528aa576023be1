"""The import jobs' API answer and the two handlers the catalogue's and the
declarations' routers share (``POST .../imports``, ``GET .../imports/{id}``)."""

import datetime

from ninja import Schema

from qihub.core import import_jobs, selectors
from qihub.core.models import ImportJob


class ImportJobErrorOut(Schema):
    line: int
    field: str
    reason: str


class ImportJobOut(Schema):
    """An import job: ``state`` queued, running, done, refused or failed;
    ``rows_seen`` of ``rows_total`` (null where the rows cannot be counted up
    front); ``summary`` the one-line outcome, ``errors`` the rows' errors."""

    id: int
    kind: str
    state: str
    file_name: str
    format: str
    dry_run: bool
    rows_seen: int
    rows_total: int | None
    summary: str
    errors: list[ImportJobErrorOut]
    started_by: str | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    url: str


def job_out(job: ImportJob) -> dict:
    return {
        **{
            name: getattr(job, name)
            for name in (
                "id",
                "kind",
                "state",
                "file_name",
                "format",
                "dry_run",
                "rows_seen",
                "rows_total",
                "summary",
                "created_at",
                "started_at",
                "finished_at",
            )
        },
        "errors": [
            {
                "line": int(e.get("line") or 0),
                "field": str(e.get("field", "")),
                "reason": str(e.get("reason", "")),
            }
            for e in job.errors
        ],
        "started_by": job.actor.get_username() if job.actor else None,
        "url": job.get_absolute_url(),
    }


def start(request, *, kind: str, file, dry_run: bool, fmt: str = "") -> dict:
    job = import_jobs.import_job_start(
        actor=request.user, kind=kind, upload=file, dry_run=dry_run, fmt=fmt
    )
    job.refresh_from_db()  # the immediate backend (tests) has run it already
    return job_out(job)


def get(request, *, kind: str, job_id: int) -> dict:
    return job_out(selectors.import_job_get(actor=request.user, pk=job_id, kind=kind))
