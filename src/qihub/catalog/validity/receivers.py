"""A standard changed status (withdrawn, replaced, in force ...): the saved
checks that name it are re-run in the background, once the change commits."""

from django.db import transaction

from qihub.catalog.signals import standard_status_changed


def on_standard_status_changed(sender, standard, **kwargs) -> None:
    from qihub.catalog.validity.models import ValidityCheck
    from qihub.catalog.validity.tasks import rerun_validity_checks_naming

    # One indexed lookup: most changed standards are on no saved list.
    if not ValidityCheck.standards.through.objects.filter(
        standard_id=standard.pk
    ).exists():
        return
    pk = standard.pk
    transaction.on_commit(lambda: rerun_validity_checks_naming.enqueue(pk))


def connect() -> None:
    standard_status_changed.connect(
        on_standard_status_changed, dispatch_uid="catalog_validity_rerun"
    )
