"""qihub import-scope FILE --body CODE [--dry-run] [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from qihub.conformity.services import body_by_code, scope_import
from qihub.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import a body's accredited scope (CSV or XLSX, CNAS Chinese or English "
        "headers), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--body",
            required=True,
            help="Credit code, accreditation number or id of the body.",
        )
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary.")

    def handle(self, *args, file: Path, body: str, dry_run: bool, json: bool, **opts):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            org = body_by_code(body)
            bar = tqdm(desc="scope lines", unit=" rows", disable=json, leave=False)

            def progress(n: int) -> None:
                bar.update(n - bar.n)

            report = scope_import(
                actor=None,
                body=org,
                data=file.read_bytes(),
                filename=file.name,
                dry_run=dry_run,
                progress=progress,
            )
            bar.close()
        except ApplicationError as exc:
            if json:
                self.stdout.write(
                    _dumps({"ok": False, "error": str(exc), **exc.details})
                )
            raise CommandError(str(exc)) from exc
        if json:
            self.stdout.write(
                _dumps(
                    {
                        "ok": True,
                        "body": org.pk,
                        "rows": report.rows,
                        "created": report.created,
                        "duplicates": report.duplicates,
                        "dry_run": report.dry_run,
                    }
                )
            )
        else:
            self.stdout.write(report.summary())


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
