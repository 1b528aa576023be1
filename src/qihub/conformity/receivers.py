"""Reactions to other domains' signals."""


def on_standard_status_changed(
    sender, standard, old_status=None, new_status=None, **kwargs
):
    """A cited standard was replaced or withdrawn: flag the scope lines citing
    it (the body must extend its accreditation to the new edition). The
    catalogue sends the signal after its transaction commits."""
    from qihub.conformity.services import scope_lines_flag_for_standard

    scope_lines_flag_for_standard(standard=standard)
