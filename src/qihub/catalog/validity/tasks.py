"""Background job: re-run the saved checks that name a changed standard."""

from django.tasks import task

from qihub.catalog.validity.services import validity_checks_rerun_for_standard


@task()
def rerun_validity_checks_naming(standard_id: int) -> int:
    return validity_checks_rerun_for_standard(standard_id=standard_id)
