"""``qihub serve``: migrate, optionally load demo data, and serve the platform."""

import multiprocessing

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "Serve qihub over HTTP (migrates the database first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="web worker processes (default: 2 on SQLite, 2×cores+1 otherwise)",
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--demo",
            action="store_true",
            help="load demo data when the database is empty",
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("database migrated")
        if opts["demo"]:
            call_command("demo", if_empty=True, stdout=self.stdout)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
        workers = opts["workers"] or (
            2 if sqlite else multiprocessing.cpu_count() * 2 + 1
        )
        bind = f"{opts['host']}:{opts['port']}"
        self.stdout.write(f"qihub serving on http://{bind}/ ({workers} workers)")
        # The workers are forked from this process: none may inherit its
        # connection (each worker thread opens and keeps its own).
        connections.close_all()
        _run_gunicorn(bind=bind, workers=workers, threads=opts["threads"])


def _run_gunicorn(*, bind: str, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from qihub.config.wsgi import application

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)

        def load(self):
            return application

    _App().run()
