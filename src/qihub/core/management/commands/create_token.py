"""``qihub create-token USERNAME``: print a new API token for a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user named {opts['username']!r}")
        try:
            _token, key = api_token_create(user=user, name=opts["name"])
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(key)
