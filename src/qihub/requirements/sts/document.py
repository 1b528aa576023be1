"""The parse result of a standard's full text, as plain data, and the safe
loading every STS file goes through.

``ParsedDocument`` is what the import service stores in one transaction; the
STS reader and the authoring formats (``authoring.py``) both produce it.
Normative references and the bibliography are kept apart: only the former
are the standard's normative references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from qihub.core import xml
from qihub.core.xml import XmlError

MAX_BYTES = 20 * 1024 * 1024
TBX_NS = "urn:iso:std:iso:30042:ed-1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class StsError(XmlError):
    """A file that cannot be imported, with the line where it went wrong."""


@dataclass
class ParsedTable:
    """A table as data: header and body rows of cell texts (spans expanded),
    footnotes, and its HTML rendering for reading."""

    label: str = ""
    caption: str = ""
    anchor: str = ""
    head: list[list[str]] = field(default_factory=list)
    body: list[list[str]] = field(default_factory=list)
    foot: list[str] = field(default_factory=list)
    html: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "caption": self.caption,
            "anchor": self.anchor,
            "head": self.head,
            "body": self.body,
            "foot": self.foot,
        }


@dataclass
class ParsedClause:
    number: str
    title: str
    kind: str = "section"
    depth: int = 0
    paragraphs: list[str] = field(default_factory=list)
    html: str = ""
    tables: list[ParsedTable] = field(default_factory=list)
    anchor: str = ""
    annex_type: str = ""
    parent_index: int | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class ParsedTerm:
    number: str
    term: str
    term_en: str = ""
    definition: str = ""
    notes: str = ""
    clause_index: int | None = None


@dataclass
class ParsedReference:
    """A cited document: its identifier (a standard's, or the citation text of
    another publication) and title."""

    identifier: str
    title: str = ""


@dataclass
class ParsedDocument:
    """A standard's full text as plain data, whatever format it came from."""

    identifier: str
    title_zh: str = ""
    title_en: str = ""
    language: str = ""
    adopted_identifier: str = ""
    adopted_title: str = ""
    adoption_degree: str = ""
    clauses: list[ParsedClause] = field(default_factory=list)
    terms: list[ParsedTerm] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    bibliography: list[ParsedReference] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def safe_parse(data: bytes, *, max_bytes: int | None = None) -> etree._Element:
    """Parse XML bytes with ``qihub.core.xml.safe_parse`` (DOCTYPE accepted but
    never loaded, ISO/HTML named entities resolved from the shipped table,
    hostile files refused) or raise ``StsError``."""
    from qihub.requirements import sts

    try:
        return xml.safe_parse(data, max_bytes=max_bytes or sts.MAX_BYTES)
    except xml.XmlError as exc:
        raise StsError(exc.reason, line=exc.line) from exc
