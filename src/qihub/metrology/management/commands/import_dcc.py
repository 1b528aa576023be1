"""qihub import-dcc FILE [FILE ...] [--dry-run] [--json]: import PTB DCC files."""

import dataclasses
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from qihub.core.errors import ApplicationError
from qihub.metrology import services


class Command(BaseCommand):
    help = "Import digital calibration certificates (PTB DCC XML)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check only, store nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the outcome as JSON"
        )

    def _report(self, path, outcome) -> None:
        self.stdout.write(
            _("%(file)s: DCC %(version)s, %(number)s, %(signature)s")
            % {
                "file": path.name,
                "version": outcome.schema_version,
                "number": outcome.certificate_number,
                "signature": _signature(outcome),
            }
        )
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(_("  warning: %s") % warning))

    def handle(self, *args, files, dry_run, json, **options):
        outcomes = []
        for path in tqdm(files, disable=not sys.stderr.isatty() or len(files) < 2):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                outcome = services.dcc_import(
                    data=path.read_bytes(),
                    actor=None,
                    dry_run=dry_run,
                    filename=path.name,
                )
            except ApplicationError as exc:
                raise CommandError(f"{path.name}: {exc.message}") from exc
            row = dataclasses.asdict(dataclasses.replace(outcome, event=None))
            row["id"] = outcome.event.pk if outcome.event else None
            row["file"] = str(path)
            outcomes.append(row)
            if not json:
                self._report(path, outcome)
        if json:
            self.stdout.write(_dumps(outcomes))
            return
        verb = _("checked") if dry_run else _("imported")
        self.stdout.write(
            _("%(n)d certificate(s) %(verb)s: %(numbers)s (%(results)d results)")
            % {
                "n": len(outcomes),
                "verb": verb,
                "numbers": ", ".join(o["certificate_number"] for o in outcomes),
                "results": sum(o["results"] for o in outcomes),
            }
        )


def _signature(outcome) -> str:
    if outcome.signature == "verified" and outcome.signed_at:
        return _("signature verified, signed %(at)s") % {"at": outcome.signed_at}
    if outcome.signature == "verified":
        return _("signature verified")
    return _("unsigned")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
