"""Import jobs: a staff upload run in the background through the import code
of the command line (``catalog.importing.standards_import``,
``declarations.importing.declarations_import``), with its progress and
outcome on an ``ImportJob``.

The upload is checked before anything is stored (staff only, a known format,
not empty, under the size limit); the file then waits under the data
directory until the worker runs it and is deleted when the job ends. The
imports stay all or nothing: a refused or failed job has changed nothing.

Progress is written through a connection of its own, so that pages see it
while the import's transaction is still open; on SQLite that write never
waits for the import's write lock (it is skipped and the next one tries).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.models import AuditLog, ImportJob
from qihub.core.services import log

logger = logging.getLogger(__name__)

#: The largest upload each kind of import takes.
MAX_BYTES = {
    ImportJob.Kind.STANDARDS: 200 * 1024 * 1024,
    ImportJob.Kind.DECLARATIONS: 50 * 1024 * 1024,  # declarations.importing's
}
#: How many row errors a job keeps (the summary counts them all).
MAX_ERRORS = 1000
#: Progress is written at most this often (seconds).
PROGRESS_EVERY = 0.5
DECLARATION_SUFFIXES = (".csv", ".txt", ".xlsx")


def import_job_start(
    *, actor, kind: str, upload, dry_run: bool = False, fmt: str = ""
) -> ImportJob:
    """Store an uploaded file as a queued import job and enqueue it (staff
    only). ``upload`` is a Django ``UploadedFile``; ``fmt`` a catalogue
    format (default: from the file). Refused with a message, storing nothing,
    if the file is empty, too large or of a format the import cannot read."""
    require_staff(actor, _("Only institute staff may import files."))
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Only institute staff may import files."))
    if kind not in ImportJob.Kind.values:
        raise ApplicationError(_("Unknown import %(kind)r.") % {"kind": kind})
    name = Path(getattr(upload, "name", "") or "").name
    size = upload.size or 0
    if not size:
        raise ApplicationError(_("The file is empty."))
    limit = MAX_BYTES[kind]
    if size > limit:
        raise ApplicationError(
            _("The file is larger than %(mb)d MB; split it.")
            % {"mb": limit // (1024 * 1024)}
        )
    fmt = _format(kind, name, upload, fmt)
    with transaction.atomic():
        job = ImportJob(
            kind=kind,
            actor=actor,
            file_name=name[:255],
            file_size=size,
            format=fmt,
            dry_run=dry_run,
        )
        job.file.save(name or "upload", upload, save=False)
        job.save()
        log(
            action=AuditLog.Action.IMPORT,
            actor=actor,
            target=f"{kind}: {name}"[:255],
            details={"job": job.pk, "dry_run": dry_run, "size": size},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _format(kind: str, name: str, upload, fmt: str) -> str:
    if kind == ImportJob.Kind.DECLARATIONS:
        if not name.lower().endswith(DECLARATION_SUFFIXES):
            raise ApplicationError(_("Import a .csv or .xlsx file."))
        return "xlsx" if name.lower().endswith(".xlsx") else "csv"
    from qihub.catalog.importing import FORMATS, detect_format

    if fmt:
        if fmt not in FORMATS:
            raise ApplicationError(
                _("Unknown format %(f)s; use one of %(all)s")
                % {"f": fmt, "all": ", ".join(FORMATS)}
            )
        return fmt
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    return detect_format(name, head)


def _enqueue(job_id: int) -> None:
    from qihub.core.tasks import run_import_job

    run_import_job.enqueue(job_id)


def import_job_run(*, job_id: int) -> str:
    """Run a queued import job to its end; returns its state. A job that is
    not queued (run already, or by another worker) is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("actor").filter(pk=job_id).first()
    if job is None or not claimed:
        return job.state if job is not None else "missing"
    progress = _Progress(job)
    try:
        path = Path(job.file.path)
        progress.total(_count_rows(job, path))
        if job.kind == ImportJob.Kind.STANDARDS:
            _run_standards(job, path, progress)
        else:
            _run_declarations(job, path, progress)
    except ApplicationError as exc:
        job.state = ImportJob.State.REFUSED
        job.summary = exc.message
        job.errors = list(exc.details.get("errors", []))[:MAX_ERRORS]
    except Exception as exc:
        # All or nothing: the import's transaction is rolled back; staff see
        # that it failed, the log has the traceback.
        logger.exception("import job %s failed", job_id)
        job.state = ImportJob.State.FAILED
        job.summary = _("The import failed (%(error)s); nothing was imported.") % {
            "error": type(exc).__name__
        }
    finally:
        progress.close()
    job.rows_seen = progress.seen
    job.rows_total = progress.rows_total
    job.finished_at = timezone.now()
    job.file.delete(save=False)
    job.save()
    return job.state


def _run_standards(job: ImportJob, path: Path, progress: _Progress) -> None:
    from qihub.catalog.importing import ImportFormatError, standards_import

    try:
        report = standards_import(
            file=path,
            fmt=job.format or None,
            actor=job.actor,
            dry_run=job.dry_run,
            progress=progress.add,
        )
    except ImportFormatError as exc:
        raise ApplicationError(str(exc)) from None
    job.summary = report.summary()
    job.errors = [asdict(e) for e in report.errors[:MAX_ERRORS]]
    job.state = ImportJob.State.DONE if report.ok else ImportJob.State.REFUSED
    progress.seen = max(progress.seen, report.rows)


def _run_declarations(job: ImportJob, path: Path, progress: _Progress) -> None:
    from qihub.declarations.importing import declarations_import

    report = declarations_import(
        actor=job.actor, path=path, dry_run=job.dry_run, progress=progress.wrap
    )
    job.summary = report.summary()
    job.state = ImportJob.State.DONE
    progress.seen = max(progress.seen, report.rows)


def _count_rows(job: ImportJob, path: Path) -> int | None:
    """The data rows of a line-based file (CSV, JSON Lines) for the progress
    bar; None where they cannot be counted without parsing."""
    if job.format not in ("csv", "iso-csv", "iso-jsonl"):
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    lines += last != b"\n"
    return max(0, lines - (job.format != "iso-jsonl"))


class _Progress:
    """Counts rows and writes the count on the job now and then, through a
    connection of its own (see the module's docstring)."""

    def __init__(self, job: ImportJob) -> None:
        self.job_id = job.pk
        self.seen = 0
        self.rows_total: int | None = None
        self.written = 0.0
        self.connection = None

    def total(self, n: int | None) -> None:
        self.rows_total = n
        self.flush(force=True)

    def add(self, n: int) -> None:
        self.seen += n
        self.flush()

    def wrap(self, rows: Iterable[Any]) -> Iterator[Any]:
        """Count rows as an import walks them (``declarations_import``)."""
        if hasattr(rows, "__len__"):
            self.rows_total = len(rows)
            self.flush(force=True)
        for row in rows:
            yield row
            self.add(1)

    def flush(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.written < PROGRESS_EVERY:
            return
        self.written = now
        try:
            if self.connection is None:
                self.connection = connections.create_connection(DEFAULT_DB_ALIAS)
                self.connection.ensure_connection()
                if self.connection.vendor == "sqlite":
                    with self.connection.cursor() as cur:
                        cur.execute("PRAGMA busy_timeout=20")
            with self.connection.cursor() as cur:
                cur.execute(
                    "UPDATE core_importjob SET rows_seen = %s, rows_total = %s "
                    "WHERE id = %s",
                    [self.seen, self.rows_total, self.job_id],
                )
        except DatabaseError:
            pass  # the database is busy (SQLite's one writer): try again later

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
