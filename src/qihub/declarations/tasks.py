"""Background jobs for self-declarations."""

from django.db import connection
from django.tasks import task

from qihub.catalog.models import Standard
from qihub.declarations.services import declarations_recheck_for_standard


@task()
def recheck_declarations_citing(standard_id: int) -> int:
    """Re-check every declaration citing a standard whose status changed."""
    standard = Standard.objects.filter(pk=standard_id).first()
    if standard is None:
        return 0
    return declarations_recheck_for_standard(standard=standard)


@task()
def refresh_search_statistics() -> str:
    """Keep SQLite's planner statistics fresh so public search keeps using the
    right index as the declaration table grows (PostgreSQL's autovacuum does
    this by itself)."""
    if connection.vendor != "sqlite":
        return "nothing to do"
    with connection.cursor() as cur:
        cur.execute("PRAGMA optimize")
    return "optimized"


SCHEDULED = [refresh_search_statistics]
