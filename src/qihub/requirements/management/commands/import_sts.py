"""qihub import-sts FILE: import a standard's full text (STS XML, YAML, Markdown)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.requirements import fulltext


class Command(BaseCommand):
    help = (
        "Import a standard's full text from NISO/ISO STS XML (or the YAML/Markdown "
        "authoring formats): clause tree, terms, references, proposed requirements."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="STS XML, .yaml or .md files")
        parser.add_argument(
            "--format", choices=["sts", "yaml", "markdown"], default=None
        )
        parser.add_argument(
            "--replace", action="store_true", help="re-import existing full text"
        )
        parser.add_argument(
            "--no-extract", action="store_true", help="do not propose requirements"
        )
        parser.add_argument(
            "--no-validate", action="store_true", help="skip RELAX NG validation"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and check, store nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the import reports as JSON"
        )

    def handle(self, *args, **options):
        reports = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                result = fulltext.document_import(
                    data=path.read_bytes(),
                    filename=path.name,
                    fmt=options["format"],
                    replace=options["replace"],
                    extract=not options["no_extract"],
                    validate_schema=not options["no_validate"],
                    dry_run=options["dry_run"],
                )
            except ApplicationError as exc:
                raise CommandError(f"{name}: {exc}") from exc
            reports.append(result)
            if not options["json"]:
                self.stdout.write(result.summary())
                for warning in result.warnings:
                    self.stdout.write(f"  warning: {warning}")
                for error in (result.schema_errors or [])[:5]:
                    self.stdout.write(f"  schema: {error}")
        if options["json"]:
            self.stdout.write(
                json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2)
            )
