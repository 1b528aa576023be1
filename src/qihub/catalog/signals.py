"""Signals other domains subscribe to.

``standard_status_changed`` is sent after the transaction that changed a
standard's status commits (withdrawn, replaced, in force ...), with
``standard``, ``old_status`` and ``new_status``. Declarations re-check what
cites the standard; requirements and lifecycle may react too.
"""

from django.dispatch import Signal

standard_status_changed = Signal()
