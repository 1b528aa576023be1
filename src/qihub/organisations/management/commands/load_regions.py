"""``qihub load-regions [FILE]``: load or refresh the GB/T 2260 divisions."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qihub.organisations import regions


class Command(BaseCommand):
    help = "Load or refresh the administrative divisions (GB/T 2260) from CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(regions.DATA_FILE))

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            created, updated = regions.regions_load(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"regions: {created} added, {updated} updated")
