"""Background jobs of the metrology domain."""

from django.tasks import task

from qihub.metrology import services


@task()
def verification_reminders(within_days: int = 30) -> int:
    """Mail owners about compulsory verifications due soon or overdue."""
    return services.reminders_send(within_days=within_days)


SCHEDULED = [verification_reminders]
