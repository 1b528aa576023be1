"""``qihub load-classifications``: load the ICS and CCS lists (idempotent)."""

from django.core.management.base import BaseCommand

from qihub.vocab.services import classifications_load


class Command(BaseCommand):
    help = "Load the ICS (1,381 codes) and CCS (three levels) classifications."

    def handle(self, *args, **opts):
        summary = classifications_load()
        self.stdout.write(
            f"classifications loaded: {summary.ics} ICS, {summary.ccs} CCS codes"
        )
