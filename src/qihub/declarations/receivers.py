"""Reactions to other domains' signals."""

from qihub.declarations.tasks import recheck_declarations_citing


def on_standard_status_changed(
    sender, standard, old_status=None, new_status=None, **kwargs
):
    """A cited standard was withdrawn, replaced or came into force: re-check in bulk."""
    recheck_declarations_citing.enqueue(standard.pk)
