"""``qihub snapshot-indicators --month 2026-11 [--regions all]``: compute the
target indicators for a month (any past month) and store the snapshots."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.programmes import services


class Command(BaseCommand):
    help = "Compute and store the programme indicators for a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--regions",
            default="",
            help="'all' for every province and city besides the programmes' scopes",
        )

    def handle(self, *args, **opts):
        try:
            month = datetime.datetime.strptime(opts["month"], "%Y-%m").date()  # noqa: DTZ007
        except ValueError:
            raise CommandError(f"--month: {opts['month']!r} is not YYYY-MM") from None
        if opts["regions"] not in ("", "all"):
            raise CommandError("--regions: only 'all' is understood")
        scopes = services.snapshot_scopes(all_regions=opts["regions"] == "all")
        try:
            n = services.snapshots_compute(
                month=month,
                scopes=scopes,
                progress=lambda key, n: self.stdout.write(f"{key}: {n} stored"),
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{n} snapshots stored for {month:%Y-%m}")
