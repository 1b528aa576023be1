"""Background jobs of the lifecycle: the daily deadline reminders and checks."""

from django.tasks import task

from qihub.lifecycle import services


@task
def send_deadline_reminders(days: int = 14) -> dict[str, int]:
    """E-mail reminders about overdue projects, consultations closing and
    periodic reviews due."""
    return services.deadline_reminders_send(days=days)


@task
def mark_implemented_projects() -> int:
    """Published projects whose standard is now in force become implemented."""
    return services.projects_mark_implemented()


@task
def close_expired_consultations() -> int:
    """Open consultations past their deadline are closed."""
    return services.consultations_close_expired()


SCHEDULED = [
    send_deadline_reminders,
    mark_implemented_projects,
    close_expired_consultations,
]
