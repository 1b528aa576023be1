"""The import itself: read, check, write, all or nothing."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from qihub.catalog.importing import checking
from qihub.catalog.importing.readers import READERS, Source, detect_format
from qihub.catalog.importing.report import (
    FORMATS,
    ImportFormatError,
    ImportReport,
    RowError,
)
from qihub.catalog.importing.rows import Validator, chunked_lookup
from qihub.catalog.importing.writer import WRITTEN_TABLES, Writer
from qihub.catalog.models import Standard
from qihub.core.errors import PermissionDenied
from qihub.core.roles import is_staff_member


def standards_import(
    *,
    file: Path | str | IO,
    fmt: str | None = None,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Import catalogue records from a file, all or nothing.

    Every row is checked; if any row is wrong the report lists every error
    (line, field, reason) and the catalogue is left unchanged (rows are
    written in batches as they pass inside one transaction, which is rolled
    back on the first error while checking goes on to the end). ``dry_run``
    checks and counts without writing. ``progress`` is called with the number
    of rows just handled (a tqdm ``update``). Records are upserted by
    identifier. The import is recorded as an ``ImportRun``: new records point
    to it, each updated one gets an ``imported`` event.
    """
    started = time.perf_counter()
    src = Source(file)
    fmt = fmt or detect_format(src.name, src.head())
    if fmt not in READERS:
        raise ImportFormatError(
            _("Unknown format %(f)s; use one of %(all)s")
            % {"f": fmt, "all": ", ".join(FORMATS)}
        )
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change the catalogue."))
    report = ImportReport(format=fmt, dry_run=dry_run)
    validator = Validator(fmt)
    big = checking.large(src)
    large = not dry_run and big
    # On SQLite the checking holds no transaction: the writer stages the rows
    # and takes the write lock only to move them in (``Writer.final``).
    sqlite = connection.vendor == "sqlite"
    in_transaction = not sqlite  # the import's own, to roll back on a refusal
    with (
        checking.collector_paused(big),
        checking.foreign_keys_unchecked(large) as unchecked,
        contextlib.nullcontext() if sqlite else transaction.atomic(),
        contextlib.ExitStack() as stack,
    ):
        writer = None if dry_run else Writer(actor=actor, fmt=fmt, name=src.name)
        if writer is not None:
            stack.callback(writer.discard_stage)
        check, options = checking.check, {}
        if writer is not None and checking.FORK_CHECKERS and big:
            check = checking.check_in_children
            if writer.catalogue_was_empty:
                # A first load: the checkers build the final rows too.
                writer.start_staged()
                options = {
                    "checkers": checking.STAGED_CHECKERS,
                    "prepare": writer.prepare,
                }
        for batch, seen in check(
            src, fmt, validator, keep=writer is not None, **options
        ):
            if batch:
                writer.write(batch)
            if progress and seen:
                progress(seen)
        validator.settle_duplicates(src, fmt)
        staged = writer is not None and writer.staging
        if staged:
            refs = validator.resolve_refs()  # before the write lock
        if writer is not None and not validator.errors:
            if staged:
                stack.enter_context(writer.final())
                in_transaction = True
            writer.close()  # indexes back before relations are looked up
        if not staged:
            refs = validator.resolve_refs()
        report.rows = validator.rows
        report.errors = sorted(validator.errors, key=lambda e: (e.line, e.field))
        if not report.rows and not report.errors:
            # A header without rows is a mistake, not an import run of none.
            report.errors = [RowError(1, "file", _("the file has no rows"))]
        report.warnings = validator.warnings
        if not report.ok:
            if in_transaction:
                transaction.set_rollback(True)
        elif writer is None:
            report.updated = sum(
                1
                for _key in chunked_lookup(
                    Standard.objects, "ident_key", list(validator.keys)
                )
            )
            report.created = len(validator.keys) - report.updated
            report.relations = len({(s, str(t), r.kind) for s, t, r in refs})
            report.placeholders = len(validator.placeholders)
        else:
            report.placeholders = writer.add_placeholders(validator.placeholders)
            report.relations = writer.relate(refs)
            report.created, report.updated = writer.created, writer.updated
            report.run_id = writer.finish(report)
            if unchecked:
                connection.check_constraints(table_names=WRITTEN_TABLES)
    report.seconds = time.perf_counter() - started
    report.lock_seconds = getattr(writer, "lock_seconds", 0.0)
    return report
