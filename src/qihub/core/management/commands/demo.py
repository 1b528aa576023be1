"""``qihub demo``: load every domain's demo data (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load demo data for every domain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if standards exist already",
        )

    def handle(self, *args, **opts):
        from qihub.catalog.models import Standard

        if opts["if_empty"] and Standard.objects.exists():
            self.stdout.write("demo data: database not empty, left as it is")
            return
        for path in settings.QIHUB_DEMO_LOADERS:
            loader = import_string(path)
            with transaction.atomic():
                loader(stdout=self.stdout)
        self.stdout.write("demo data loaded")
