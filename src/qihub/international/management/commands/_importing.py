"""The shared body of ``import-iso-projects`` and ``import-tbt``."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError


class ImportCommand(BaseCommand):
    importer = None  # set by the subclass: imports.<name>_import
    what = ""

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check only, store nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the outcome as JSON"
        )

    def handle(self, *args, file, dry_run, json: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            report = type(self).importer(
                file=file, dry_run=dry_run, file_name=file.name
            )
        except ApplicationError as exc:
            raise CommandError(f"{file.name}: {exc.message}") from exc
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        if not report.ok:
            first = report.errors[0]
            raise CommandError(
                _("%(file)s refused, nothing imported: %(n)d error(s); first: %(msg)s")
                % {"file": file.name, "n": len(report.errors), "msg": first["message"]}
            )
        if not json:
            self.stdout.write(
                _(
                    "%(file)s: %(rows)d rows, %(created)d created, %(updated)d "
                    "updated, %(unchanged)d unchanged%(dry)s"
                )
                % {
                    "file": file.name,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "dry": _(" (dry run: nothing stored)") if dry_run else "",
                }
            )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str, indent=2)
