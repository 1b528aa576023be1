"""Background jobs of the programmes app."""

import datetime

from django.tasks import task
from django.utils import timezone

from qihub.programmes import services


@task()
def snapshot_indicators() -> int:
    """Store every target indicator per region/network for the month just
    ended (and the running month, so the dashboard stays current). Safe to
    re-run: a month's values are replaced."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    return services.snapshots_compute(month=last_month) + services.snapshots_compute(
        month=today
    )


SCHEDULED = [snapshot_indicators]
