"""``qihub statistics-report --year 2026 -o FILE [--format xlsx|csv]``."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.programmes.reports import statistics_report


class Command(BaseCommand):
    help = "Export the annual standardization statistics report."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="")

    def handle(self, *args, **opts):
        out = Path(opts["output"])
        fmt = opts["format"] or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
        started = time.monotonic()
        try:
            data = statistics_report(year=opts["year"], fmt=fmt)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"-o: cannot write {out}: {exc.strerror}") from None
        self.stdout.write(
            f"{out}: {fmt} report for {opts['year']} "
            f"({len(data)} bytes, {time.monotonic() - started:.1f} s)"
        )
