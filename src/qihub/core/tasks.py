"""Platform background jobs."""

from django.tasks import task

from qihub.core.import_jobs import import_job_run


@task()
def run_import_job(job_id: int) -> str:
    """Run an uploaded import (``core.import_jobs``); returns its final state."""
    return import_job_run(job_id=job_id)


SCHEDULED: list = []
