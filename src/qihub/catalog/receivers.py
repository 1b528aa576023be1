"""Keep each standard's search document in step with its ICS codes.

The document carries the codes as filter tokens (``search_text.search_text_for``),
so any change of ``Standard.ics`` (services, admin, other apps) rewrites it.
Bulk imports write documents and links together and send no signal.
"""

from django.db.models.signals import m2m_changed

from qihub.catalog.models import Standard


def _ics_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from qihub.catalog.services import search_text_for_standard

    if reverse:  # codes' standards changed from the code's side
        if not pk_set:
            return
        standards = Standard.objects.filter(pk__in=pk_set)
    else:
        standards = [instance]
    for standard in standards:
        text = search_text_for_standard(standard)
        if text != standard.search_text:
            standard.search_text = text
            Standard.objects.filter(pk=standard.pk).update(search_text=text)


def connect() -> None:
    m2m_changed.connect(
        _ics_changed, sender=Standard.ics.through, dispatch_uid="catalog_ics_search"
    )
