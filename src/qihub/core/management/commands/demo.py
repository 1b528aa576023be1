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
        parser.add_argument(
            "--second-instance",
            action="store_true",
            help=(
                "seed a second instance that shares the first's catalogue "
                "(its own users, network, one group standard and expert)"
            ),
        )

    def handle(self, *args, **opts):
        from qihub.catalog.models import Standard

        if opts["if_empty"] and Standard.objects.exists():
            self.stdout.write("demo data: database not empty, left as it is")
            return
        loaders = (
            settings.QIHUB_DEMO_SECOND_LOADERS
            if opts["second_instance"]
            else settings.QIHUB_DEMO_LOADERS
        )
        for path in loaders:
            loader = import_string(path)
            with transaction.atomic():
                loader(stdout=self.stdout)
        self.stdout.write("demo data loaded")
