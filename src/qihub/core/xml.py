"""The one safe way qihub reads uploaded XML.

Real files carry a DOCTYPE (ISO STS documents nearly always name
``ISOSTS.dtd``) and use named character entities such as ``&mdash;`` that
only that DTD defines. ``safe_parse`` accepts both without ever reading a DTD
or anything else outside the file:

- the DOCTYPE is removed before lxml sees the file (its line breaks are kept,
  so error lines stay right); a SYSTEM or PUBLIC identifier in it is never
  opened;
- named entities are resolved from ``data/xml-entities.tsv``, a table shipped
  with the code (built from Python's ``html.entities.html5``, the WHATWG list
  of named character references, which holds the ISO 8879 / ISO 9573-13 sets
  that ISO STS uses) and written as numeric character references;
- an internal subset may declare plain-text entities (``<!ENTITY th "header
  text">``); an entity whose value refers to another entity (billion laughs),
  an external entity (``SYSTEM``/``PUBLIC``), a parameter entity or an
  unknown entity reference is refused with its line, and so is a file whose
  entities would expand past the size limit;
- lxml then parses with entity resolution, DTD loading and network access
  off, and without its huge-tree mode.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _
from lxml import etree

MAX_BYTES = 20 * 1024 * 1024
ENTITY_TABLE = Path(__file__).parent / "data" / "xml-entities.tsv"
_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})
_MAX_DECLARED = 1000
_MAX_DECLARED_VALUE = 4096


class XmlError(ValueError):
    """An XML file that is refused, with the line where it went wrong."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(
            _("line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
        )


@lru_cache(maxsize=1)
def named_entities() -> dict[str, str]:
    """Entity name → replacement text, from the shipped table."""
    table: dict[str, str] = {}
    for row in ENTITY_TABLE.read_text(encoding="utf-8").splitlines():
        if not row or row.startswith("#"):
            continue
        name, points = row.split("\t")
        table[name] = "".join(chr(int(p, 16)) for p in points.split())
    return table


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _doctype_end(data: bytes, start: int) -> tuple[int, int, int]:
    """End of the DOCTYPE starting at ``start`` and its internal subset's
    bounds (-1, -1 without one), skipping quoted strings and comments."""
    i = start + len(b"<!DOCTYPE")
    subset_start = subset_end = -1
    quote = 0
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in b"\"'":
            quote = c
        elif subset_start >= 0 and subset_end < 0 and data.startswith(b"<!--", i):
            close = data.find(b"-->", i + 4)
            if close < 0:
                break
            i = close + 3
            continue
        elif c == ord("[") and subset_start < 0:
            subset_start = i + 1
        elif c == ord("]") and subset_start >= 0 and subset_end < 0:
            subset_end = i
        elif c == ord(">") and (subset_start < 0 or subset_end >= 0):
            return i + 1, subset_start, subset_end
        i += 1
    raise XmlError(
        _("Malformed XML: the DOCTYPE is not closed."), line=_line_of(data, start)
    )


_DECLARATION = re.compile(rb"<!(ENTITY|ELEMENT|ATTLIST|NOTATION)\b", re.I)
_SIMPLE_ENTITY = re.compile(
    rb"<!ENTITY\s+([A-Za-z_][\w.\-]*)\s+(\"([^\"]*)\"|'([^']*)')\s*>", re.S
)


def _declared_entities(data: bytes, start: int, end: int) -> dict[str, str]:
    """Plain-text entities of an internal subset; refuses every other kind."""
    subset = data[start:end]
    entities: dict[str, str] = {}
    for m in _DECLARATION.finditer(subset):
        line = _line_of(data, start + m.start())
        if m.group(1).upper() != b"ENTITY":
            continue  # element and attribute declarations are not used
        simple = _SIMPLE_ENTITY.match(subset, m.start())
        head = subset[m.start() : m.start() + 200]
        if re.match(rb"<!ENTITY\s+%", head):
            raise XmlError(_("Parameter entities are not allowed."), line=line)
        if simple is None:
            raise XmlError(
                _(
                    "External entities are not allowed (they would read files or "
                    "the network); only plain-text entities may be declared."
                ),
                line=line,
            )
        value = simple.group(3) if simple.group(3) is not None else simple.group(4)
        if re.search(rb"[&%<]", value):
            raise XmlError(
                _(
                    "Entity declarations that refer to other entities or hold "
                    "markup are not allowed (billion-laughs attack)."
                ),
                line=line,
            )
        if len(value) > _MAX_DECLARED_VALUE or len(entities) >= _MAX_DECLARED:
            raise XmlError(_("Too many or too long entity declarations."), line=line)
        entities[simple.group(1).decode()] = value.decode("utf-8", "replace")
    if re.search(rb"%[A-Za-z_][\w.\-]*;", subset):
        raise XmlError(
            _("Parameter entities are not allowed."),
            line=_line_of(data, start + re.search(rb"%[A-Za-z_]", subset).start()),
        )
    return entities


def _escape(text: str) -> bytes:
    return "".join(f"&#x{ord(c):X};" for c in text).encode("ascii")


_ENTITY_REF = re.compile(rb"&([A-Za-z_][\w.\-]*);")
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)


def _resolve_entities(data: bytes, declared: dict[str, str], max_bytes: int) -> bytes:
    table = named_entities()
    out: list[bytes] = []
    size = 0

    def replace(m: re.Match[bytes]) -> bytes:
        nonlocal size
        name = m.group(1).decode()
        if name in _PREDEFINED:
            return m.group(0)
        if name in declared:
            text = declared[name]
        elif name in table:
            text = table[name]
        else:
            raise XmlError(
                _(
                    "Unknown entity &%(name)s; (neither an ISO/HTML named "
                    "character nor declared in the file)."
                )
                % {"name": name},
                line=_line_of(data, m.start()),
            )
        size += len(text)
        if size > max_bytes:
            raise XmlError(
                _("The file's entities expand past the size limit."),
                line=_line_of(data, m.start()),
            )
        return _escape(text)

    last = 0
    for cdata in _CDATA.finditer(data):
        out.append(_ENTITY_REF.sub(replace, data[last : cdata.start()]))
        out.append(cdata.group(0))
        last = cdata.end()
    out.append(_ENTITY_REF.sub(replace, data[last:]))
    return b"".join(out)


def _as_utf8(data: bytes) -> bytes:
    """UTF-16 files as UTF-8, so the byte-level steps below can read them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        text = re.sub(
            r"^(<\?xml[^>]*?)\s+encoding=([\"'])[^\"']*\2", r"\1", text.lstrip("\ufeff")
        )
        return text.encode("utf-8")
    return data


def safe_parse(
    data: bytes, *, max_bytes: int = MAX_BYTES, keep_comments: bool = False
) -> etree._Element:
    """Parse XML bytes with hardened settings or raise ``XmlError``. Every
    importer parses through here (catalogue XML, STS, DCC, DOCX parts); an
    importer that refuses a DOCTYPE outright says so before calling it.
    ``keep_comments`` keeps comments in the tree, for signed documents whose
    canonical form may include them."""
    if len(data) > max_bytes:
        raise XmlError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": len(data) // 1024 // 1024, "limit": max_bytes // 1024 // 1024}
        )
    if not data.strip():
        raise XmlError(_("The file is empty."))
    data = _as_utf8(data)
    declared: dict[str, str] = {}
    doctype = re.search(rb"<!DOCTYPE\b", data)
    if doctype:
        end, sub_start, sub_end = _doctype_end(data, doctype.start())
        if sub_start >= 0:
            declared = _declared_entities(data, sub_start, sub_end)
        data = (
            data[: doctype.start()]
            + b"\n" * data.count(b"\n", doctype.start(), end)
            + data[end:]
        )
    elif re.search(rb"<!ENTITY", data, flags=re.IGNORECASE):
        match = re.search(rb"<!ENTITY", data, flags=re.IGNORECASE)
        raise XmlError(
            _("Entity declarations outside a DOCTYPE are not allowed."),
            line=_line_of(data, match.start()),
        )
    data = _resolve_entities(data, declared, max_bytes)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=not keep_comments,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise XmlError(
            _("Malformed XML: %(reason)s") % {"reason": exc.msg}, line=exc.lineno
        ) from exc
    # defusedxml's rule as a second guard: no entity references survive.
    for node in root.iter(etree.Entity):
        raise XmlError(
            _("Undeclared entity reference &%(name)s; is not allowed.")
            % {"name": node.name},
            line=node.sourceline,
        )
    return root
