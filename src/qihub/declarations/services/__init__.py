"""Writes for self-declarations: enterprises, declarations and their checks.

Spot checks live in ``spotchecks.py``, forerunner evaluations in
``forerunners.py`` and bulk import in ``importing.py``; all write through
keyword-only, atomic functions like these.

The package, by noun: ``enterprises``, ``declarations`` (content, versions,
submission, publication, withdrawal), ``rechecks`` (the bulk re-check when a
cited standard changes); who may manage and the event are in ``_common``.
"""

from qihub.declarations.services._common import (
    can_manage,
)
from qihub.declarations.services.declarations import (
    EARLIEST_EFFECTIVE_ON,
    declaration_create,
    declaration_publish_imported,
    declaration_recheck,
    declaration_submit,
    declaration_update,
    declaration_withdraw,
    draft_version,
    indicators_clean,
)
from qihub.declarations.services.enterprises import (
    declarations_resync_organisation,
    enterprise_create,
    enterprise_for_import,
    enterprise_register,
    region_for_text,
)
from qihub.declarations.services.rechecks import (
    RECHECK_CHUNK,
    declarations_recheck_for_standard,
)

__all__ = [
    "EARLIEST_EFFECTIVE_ON",
    "RECHECK_CHUNK",
    "can_manage",
    "declaration_create",
    "declaration_publish_imported",
    "declaration_recheck",
    "declaration_submit",
    "declaration_update",
    "declaration_withdraw",
    "declarations_recheck_for_standard",
    "declarations_resync_organisation",
    "draft_version",
    "enterprise_create",
    "enterprise_for_import",
    "enterprise_register",
    "indicators_clean",
    "region_for_text",
]
