"""Background jobs for self-declarations."""

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


SCHEDULED: list = []
