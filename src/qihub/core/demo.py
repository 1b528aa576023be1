"""Demo users, one per role. The password is printed by ``qihub demo``."""

from django.contrib.auth import get_user_model

from qihub.core.roles import Role
from qihub.core.services import user_create

DEMO_PASSWORD = "qihub-demo"  # noqa: S105 - documented demo credential

DEMO_USERS = [
    ("admin", [Role.ADMINISTRATOR]),
    ("staff", [Role.STAFF]),
    ("reviewer", [Role.REVIEWER]),
    ("enterprise", [Role.ENTERPRISE]),
]


def load(stdout=None) -> None:
    User = get_user_model()
    for username, roles in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=DEMO_PASSWORD, roles=list(roles))
    if stdout:
        stdout.write(
            f"demo users: {', '.join(u for u, _ in DEMO_USERS)} "
            f"(password {DEMO_PASSWORD})"
        )
