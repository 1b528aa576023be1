"""qihub import-project-plan FILE: import a standard project plan (CSV/XLSX)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.lifecycle.plans import plan_import, read_rows


class Command(BaseCommand):
    help = "Import a standard project plan (CSV or XLSX); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only")
        parser.add_argument("--json", action="store_true", help="print a JSON report")

    def handle(self, *args, file: Path, dry_run: bool, json: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            rows = read_rows(file)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        progress = None
        if sys.stderr.isatty() and not json:
            from tqdm import tqdm

            def progress(items):
                return tqdm(items, desc="projects", unit="row")

        result = plan_import(rows=rows, dry_run=dry_run, progress=progress)
        if json:
            self.stdout.write(_json(result.as_dict()))
        if result.errors:
            first = result.errors[0]["error"]
            raise CommandError(
                f"Refused {file.name}: {len(result.errors)} bad row(s); first: {first}"
            )
        if not json:
            verb = "would create" if dry_run else "created"
            self.stdout.write(
                f"{file.name}: {result.rows} rows, {verb} {len(result.created)} projects"
            )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
