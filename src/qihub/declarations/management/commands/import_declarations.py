"""qihub import-declarations FILE [--dry-run] [--json] [--user USERNAME]

Without ``--user`` the import is the system's own (recorded with no user)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.core.actors import SYSTEM
from qihub.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Import published self-declarations from a CSV or XLSX file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and roll back."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON."
        )
        parser.add_argument(
            "--user",
            default="",
            help="Username of the importing staff member (default: the system).",
        )

    def handle(
        self, *args, file: Path, dry_run: bool, json: bool, user: str, **options
    ):
        from django.contrib.auth import get_user_model

        from qihub.declarations.importing import declarations_import

        if not file.exists():
            raise CommandError(f"{file}: no such file")
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"{user}: no such user")
        progress = None
        if sys.stderr.isatty() and not json:
            from tqdm import tqdm

            def progress(rows):
                return tqdm(rows, desc="declarations", unit="row")

        try:
            report = declarations_import(
                actor=actor, path=file, dry_run=dry_run, progress=progress
            )
        except ApplicationError as exc:
            if json:
                self.stdout.write(
                    _json({"ok": False, "error": exc.message, **exc.details})
                )
            else:
                for err in exc.details.get("errors", [])[:50]:
                    self.stderr.write(
                        f"line {err['line']}, {err['field']}: {err['reason']}"
                    )
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_json({"ok": True, **report.__dict__}))
        else:
            self.stdout.write(f"{file.name}: {report.summary()}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
