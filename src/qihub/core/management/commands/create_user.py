"""``qihub create-user NAME --role staff``: add a platform user."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.core.roles import Role
from qihub.core.services import password_check, user_create


class Command(BaseCommand):
    help = "Create a user with platform roles."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", choices=Role.values, default=[])
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="read from the terminal when omitted")

    def handle(self, *args, **opts):
        password = opts["password"] or getpass.getpass("Password: ")
        try:
            password_check(
                password=password, username=opts["username"], email=opts["email"]
            )
            user = user_create(
                username=opts["username"],
                password=password,
                roles=opts["role"],
                email=opts["email"],
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"created user {user.username} ({', '.join(opts['role']) or 'no role'})"
        )
