"""Reactions to other domains' signals."""

from qihub.declarations.tasks import recheck_declarations_citing


def on_standard_status_changed(
    sender, standard, old_status=None, new_status=None, **kwargs
):
    """A cited standard was withdrawn, replaced or came into force: re-check in bulk."""
    recheck_declarations_citing.enqueue(standard.pk)


def on_organisation_saved(sender, instance, raw=False, **kwargs):
    """An organisation was renamed, re-coded or moved: its declarations'
    denormalised search keys follow (one UPDATE; none when it declares nothing)."""
    if raw:
        return
    from qihub.declarations.services import declarations_resync_organisation

    declarations_resync_organisation(organisation=instance)
