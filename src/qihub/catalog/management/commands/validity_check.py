"""qihub validity-check FILE [-o OUT] [--on DATE] [--json]"""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.catalog.validity.check import check_list, verdict_labels
from qihub.catalog.validity.exports import EXPORT_FORMATS, export_csv, export_xlsx
from qihub.catalog.validity.reading import lines_from_file
from qihub.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Check a list of standards (XLSX, CSV, TXT or DOCX; '-' reads text "
        "from stdin): each identifier's status, replacements and current edition."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list ('-' for stdin).")
        parser.add_argument(
            "-o", "--output", type=Path, help="Write the result (.xlsx or .csv)."
        )
        parser.add_argument(
            "--on", type=datetime.date.fromisoformat, help="Status on this date."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, file, output, on, **options):
        try:
            if file == "-":
                name, data = "stdin.txt", sys.stdin.buffer.read()
            else:
                path = Path(file)
                if not path.is_file():
                    raise CommandError(f"{file}: no such file")
                name, data = path.name, path.read_bytes()
            result = check_list(lines_from_file(name, data), on=on).as_json()
        except ApplicationError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        if output is not None:
            fmt = output.suffix.lower().lstrip(".")
            if fmt not in EXPORT_FORMATS:
                raise CommandError(f"{output}: write .xlsx or .csv")
            output.write_bytes(
                export_xlsx(result) if fmt == "xlsx" else export_csv(result)
            )
        if options["json"]:
            self.stdout.write(_dumps(result))
            return
        labels = verdict_labels()
        for line in result["lines"]:
            if not line["items"]:
                self.stdout.write(f"{line['line']}: {line['error']}")
            for item in line["items"]:
                chain = " -> ".join(item["chain"]) if len(item["chain"]) > 1 else ""
                self.stdout.write(
                    f"{line['line']}: {item['cited']}: {labels[item['verdict']]}"
                    + (f" ({chain})" if chain else "")
                )
        summary = ", ".join(
            f"{labels[code]} {n}" for code, n in result["summary"].items()
        )
        self.stdout.write(summary + (f"; written to {output}" if output else ""))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
