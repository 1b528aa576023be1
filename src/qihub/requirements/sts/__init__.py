"""NISO STS / ISO STS XML: safe reading into a clause tree, validation and export.

- ``document``: the parse result as plain data and the safe loading
  (``qihub.core.xml``: DOCTYPE accepted but never loaded, ISO/HTML named
  entities from a shipped table, hostile files refused);
- ``reader``: STS elements into clauses, tables, terms, references;
- ``schema``: NISO STS 1.2 RELAX NG validation;
- ``export``: a stored document back to STS XML.
"""

from qihub.requirements.sts.document import (
    MAX_BYTES,
    TBX_NS,
    XLINK_NS,
    XML_LANG,
    ParsedClause,
    ParsedDocument,
    ParsedReference,
    ParsedTable,
    ParsedTerm,
    StsError,
    safe_parse,
)
from qihub.requirements.sts.export import export_sts
from qihub.requirements.sts.reader import parse_sts
from qihub.requirements.sts.schema import SCHEMA_PATH, schema_available, validate

__all__ = [
    "MAX_BYTES",
    "SCHEMA_PATH",
    "TBX_NS",
    "XLINK_NS",
    "XML_LANG",
    "ParsedClause",
    "ParsedDocument",
    "ParsedReference",
    "ParsedTable",
    "ParsedTerm",
    "StsError",
    "export_sts",
    "parse_sts",
    "safe_parse",
    "schema_available",
    "validate",
]
