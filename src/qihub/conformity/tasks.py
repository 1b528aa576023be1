"""Background jobs of the conformity domain (run daily by ``qihub schedule``)."""

from django.tasks import task

from qihub.conformity import services


@task()
def certificates_expire() -> int:
    """Expire certificates past their validity (an *expired* event each)."""
    return services.certificates_expire_due()


@task()
def surveillance_reminders(within_days: int = 30) -> int:
    """Remind certification bodies of surveillance audits due soon or overdue."""
    return services.surveillance_reminders_send(within_days=within_days)


SCHEDULED = [certificates_expire, surveillance_reminders]
