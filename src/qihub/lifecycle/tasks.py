"""Background jobs of the lifecycle: the daily deadline reminders."""

from django.tasks import task

from qihub.lifecycle import services


@task
def send_deadline_reminders(days: int = 14) -> dict[str, int]:
    """E-mail reminders about overdue projects, consultations closing and
    periodic reviews due."""
    return services.deadline_reminders_send(days=days)


SCHEDULED = [send_deadline_reminders]
