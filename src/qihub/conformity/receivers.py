"""Reactions to other domains' signals."""


def on_standard_status_changed(
    sender, standard, old_status=None, new_status=None, **kwargs
):
    """A cited standard was replaced or withdrawn: flag the scope lines citing
    it (the body must extend its accreditation to the new edition). The
    catalogue sends the signal after its transaction commits."""
    from qihub.conformity.services import scope_lines_flag_for_standard

    scope_lines_flag_for_standard(standard=standard)


def on_organisation_saved(sender, instance, created=False, raw=False, **kwargs):
    """A body's region is copied onto its scope lines (``ScopeLine.body_region``):
    keep the copies when the body moves. One indexed update, nothing for a
    new organisation or when the region is unchanged."""
    if created or raw:
        return
    from qihub.conformity.models import ScopeLine

    region = instance.region_id or ""
    ScopeLine.objects.filter(body_id=instance.pk).exclude(body_region=region).update(
        body_region=region
    )
