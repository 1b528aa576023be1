"""Alert background jobs."""

from django.tasks import task

from qihub.alerts.services import alerts_daily


@task()
def daily_alerts() -> int:
    """Inbox items for what changed since yesterday, then the e-mail digests."""
    return alerts_daily().items


SCHEDULED = [daily_alerts]
