"""qihub import-standards FILE [--format F] [--dry-run] [--json]"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.catalog.importing import FORMATS, ImportFormatError, standards_import


class Command(BaseCommand):
    help = (
        "Import standards from CSV, XLSX, JSON, ISO Open Data (JSONL/CSV) or "
        "Relaton XML, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help="Default: from the file."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON."
        )

    def handle(self, *args, file: Path, format, dry_run, json, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        bar = None
        if sys.stderr.isatty() and not json:
            from tqdm import tqdm

            # No monitor thread: a large import forks its checking processes,
            # and forking a process with threads risks a child's deadlock.
            tqdm.monitor_interval = 0
            total = None
            if file.suffix.lower() in (".csv", ".jsonl"):
                with file.open("rb") as fh:
                    total = max(0, sum(1 for _ in fh) - 1)
            bar = tqdm(total=total, desc=file.name, unit="row", file=sys.stderr)
        try:
            report = standards_import(
                file=file,
                fmt=format,
                dry_run=dry_run,
                progress=bar.update if bar else None,
            )
        except ImportFormatError as exc:
            if json:
                self.stdout.write(_dumps({"ok": False, "error": str(exc)}))
            raise CommandError(f"{file.name}: {exc}") from None
        finally:
            if bar is not None:
                bar.close()
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        if not report.ok:
            for err in report.errors:
                self.stderr.write(str(err))
            raise CommandError(f"{file.name}: {report.summary()}")
        if not json:
            for warning in report.warnings:
                self.stderr.write(f"warning: {warning}")
            self.stdout.write(f"{file.name}: {report.summary()}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
