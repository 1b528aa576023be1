"""qihub import-organisations FILE [--dry-run] [--json]"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV or XLSX file (Chinese or English "
        "headers), all or nothing; existing ones (same credit code or name) "
        "are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and roll back."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the summary as JSON."
        )
        parser.add_argument(
            "--user",
            default="",
            help="Username of the importing staff member (default: the platform).",
        )

    def handle(
        self, *args, file: Path, dry_run: bool, json: bool, user: str, **options
    ):
        from django.contrib.auth import get_user_model

        from qihub.organisations.importing import organisations_import

        if not file.exists():
            raise CommandError(f"{file}: no such file")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"{user}: no such user")
        progress = None
        if sys.stderr.isatty() and not json:
            from tqdm import tqdm

            def progress(rows):
                return tqdm(rows, desc="organisations", unit="row")

        try:
            report = organisations_import(
                actor=actor, path=file, dry_run=dry_run, progress=progress
            )
        except ApplicationError as exc:
            if json:
                self.stdout.write(
                    _json({"ok": False, "error": str(exc.message), **exc.details})
                )
            else:
                for err in exc.details.get("errors", [])[:50]:
                    self.stderr.write(
                        f"line {err['line']}, field {err['field']}: {err['reason']}"
                    )
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_json({"ok": True, **report.as_dict()}))
        else:
            verb = _("would import") if dry_run else _("imported")
            self.stdout.write(
                _(
                    "%(file)s: %(verb)s %(rows)d rows: %(created)d new "
                    "organisations, %(updated)d updated, %(unchanged)d unchanged"
                )
                % {"file": file.name, "verb": verb, **report.as_dict()}
            )


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
