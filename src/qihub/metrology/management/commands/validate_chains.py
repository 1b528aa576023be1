"""qihub validate-chains [--on DATE] [--json]: validate every instrument's chain."""

import dataclasses
import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError

from qihub.metrology.traceability import chains_validate_all


class Command(BaseCommand):
    help = "Validate every instrument's traceability chain and count broken rules."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="date (YYYY-MM-DD), today by default")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, on, json, **options):
        try:
            day = datetime.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(f"Bad date {on!r}: use YYYY-MM-DD.") from exc
        start = time.perf_counter()
        report = chains_validate_all(on=day)
        elapsed = time.perf_counter() - start
        if json:
            self.stdout.write(
                _dumps({**dataclasses.asdict(report), "seconds": elapsed})
            )
            return
        broken = ", ".join(f"{k} {v}" for k, v in sorted(report.by_code.items()))
        self.stdout.write(
            f"{report.valid}/{report.instruments} instrument chains valid on {report.on}"
            f" ({broken or 'none broken'}); {report.standards_ok}/{report.standards}"
            f" standards traceable; {elapsed:.1f} s"
        )


def _dumps(data) -> str:
    return json.dumps(data, default=str, ensure_ascii=False, indent=2)
