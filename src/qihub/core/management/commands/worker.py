"""``qihub worker``: run background jobs from the configured task backend."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker (database queue or Redis, per settings)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="process what is queued, then exit"
        )

    def handle(self, *args, **opts):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_db"):
            extra = ["--batch"] if opts["batch"] else []
            call_command("db_worker", *extra)
        elif backend.startswith("django_tasks_redis"):
            call_command("run_redis_tasks")
        else:
            self.stdout.write(
                "tasks run immediately in this configuration; no worker needed"
            )
