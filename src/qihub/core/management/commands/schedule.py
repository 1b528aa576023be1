"""``qihub schedule``: enqueue every periodic job once. Run it from cron daily."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (reminders, deadline checks). Safe to re-run."

    def handle(self, *args, **opts):
        for path in getattr(settings, "QIHUB_SCHEDULED_TASKS", []):
            task = import_string(path)
            task.enqueue()
            self.stdout.write(f"enqueued {path}")
