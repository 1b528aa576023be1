"""Organisations' background jobs."""

from django.tasks import task


@task()
def recount_network_tallies() -> int:
    """Recount the large networks' kept counts that are stale."""
    from qihub.organisations.tallies import recount_stale

    return recount_stale()


SCHEDULED = [recount_network_tallies]
