"""The ``qihub`` command: Django's manage.py with operator-friendly verbs.

``qihub import-standards FILE`` runs the ``import_standards`` management
command; every verb with dashes maps to the command with underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "qihub"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
