"""Import catalogue records from files, all or nothing.

Formats: our own column layout as ``csv``, ``xlsx`` or ``json`` (see
``COLUMNS``), ISO Open Data deliverables metadata (``iso-jsonl`` / ``iso-csv``)
and Relaton bibliographic XML (``relaton``, one record or a collection).

Every row is validated first (identifier, dates, status, ICS/CCS codes,
relation targets) and every problem is collected as a :class:`RowError`
with its line, field and reason; nothing is written unless every row is
valid. Writes are set-based (bulk inserts in batches inside one transaction)
and existing identifiers are updated in place. Each imported standard gets one
``imported`` event.

The package, by what it holds: ``readers`` (one per format, each yielding
rows in our column layout), ``rows`` (the row rules, through
``catalog.rules``, and the relations resolved at the end), ``checking``
(the rows checked here or in forked checking processes), ``prepared`` (a
first load's rows built in those processes), ``writer`` and ``indexes``
(the set-based writes), ``report`` and ``run`` (``standards_import``).
"""

from qihub.catalog.importing.readers import BATCH_SIZE, detect_format
from qihub.catalog.importing.report import (
    COLUMNS,
    FORMATS,
    ImportFormatError,
    ImportReport,
    RowError,
)
from qihub.catalog.importing.run import standards_import

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "FORMATS",
    "ImportFormatError",
    "ImportReport",
    "RowError",
    "detect_format",
    "standards_import",
]
