"""``qihub schedule``: enqueue every periodic job once. Run it from cron daily.

Each domain lists its periodic jobs as ``SCHEDULED = [task, ...]`` in its
``tasks.py``; this command enqueues them all, so it is safe to re-run.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


def scheduled_tasks() -> list:
    tasks = []
    for config in apps.get_app_configs():
        if not config.name.startswith("qihub."):
            continue
        module_name = f"{config.name}.tasks"
        if find_spec(module_name) is None:
            continue
        tasks.extend(getattr(import_module(module_name), "SCHEDULED", []))
    return tasks


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (reminders, deadline checks). Safe to re-run."

    def handle(self, *args, **opts):
        for task in scheduled_tasks():
            task.enqueue()
            self.stdout.write(f"enqueued {task.module_path}")
