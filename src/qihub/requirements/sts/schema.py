"""Validation against the NISO STS 1.2 RELAX NG schema (a local copy in the
shared data directory; never fetched)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from qihub.requirements.sts.document import StsError, safe_parse

SCHEMA_PATH = "sts/niso-sts-1.2-interchange-rng/NISO-STS-interchange-1-mathml3.rng"


@lru_cache(maxsize=1)
def _schema() -> etree.RelaxNG | None:
    path = Path(settings.SHARED_DATA_DIR) / SCHEMA_PATH
    if not path.exists():
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.RelaxNG(etree.parse(str(path), parser))


def schema_available() -> bool:
    return _schema() is not None


def validate(data: bytes | etree._Element) -> list[str]:
    """Errors against the NISO STS 1.2 RELAX NG schema ([] = valid).

    Raises ``StsError`` if the schema files are not installed.
    """
    schema = _schema()
    if schema is None:
        raise StsError(
            "The NISO STS schema is not installed in the shared data directory."
        )
    root = safe_parse(data) if isinstance(data, bytes) else data
    if schema.validate(etree.ElementTree(root)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log][:50]
