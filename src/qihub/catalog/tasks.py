"""Catalogue background jobs."""

from django.tasks import task

from qihub.catalog.services import standards_refresh_statuses


@task()
def refresh_standard_statuses() -> int:
    """Move standards whose implementation date has come to *in force*."""
    return standards_refresh_statuses()


SCHEDULED = [refresh_standard_statuses]
