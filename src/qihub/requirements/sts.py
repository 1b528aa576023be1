"""NISO STS / ISO STS XML: safe parsing into a clause tree, and export back.

Parsing never resolves entities, never touches the network and refuses
files over ``MAX_BYTES``; a DOCTYPE with entity declarations (billion laughs,
external entities) is refused with its line number before lxml sees it.
The parse result is plain data (``ParsedDocument``) so the import service can
store it in one transaction, and the authoring formats (``authoring.py``)
produce the same structure.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

MAX_BYTES = 20 * 1024 * 1024
TBX_NS = "urn:iso:std:iso:30042:ed-1"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_PATH = "sts/niso-sts-1.2-interchange-rng/NISO-STS-interchange-1-mathml3.rng"


class StsError(ValueError):
    """A file that cannot be imported, with the line where it went wrong."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(
            _("line %(line)s: %(message)s") % {"line": line, "message": message}
            if line
            else message
        )


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
    warnings: list[str] = field(default_factory=list)


# --- Safe loading -------------------------------------------------------------


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def safe_parse(data: bytes) -> etree._Element:
    """Parse XML bytes with hardened settings or raise ``StsError``."""
    if len(data) > MAX_BYTES:
        raise StsError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": len(data) // 1024 // 1024, "limit": MAX_BYTES // 1024 // 1024}
        )
    if not data.strip():
        raise StsError(_("The file is empty."))
    match = re.search(rb"<!ENTITY", data, flags=re.IGNORECASE)
    if match:
        raise StsError(
            _(
                "Entity declarations are not allowed (billion-laughs and external "
                "entity attacks); remove the DOCTYPE's internal subset."
            ),
            line=_line_of(data, match.start()),
        )
    match = re.search(rb"<!DOCTYPE[^>]*(SYSTEM|PUBLIC)", data, flags=re.IGNORECASE)
    if match:
        raise StsError(
            _("External DTD references are not allowed; remove the DOCTYPE."),
            line=_line_of(data, match.start()),
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise StsError(
            _("Malformed XML: %(reason)s") % {"reason": exc.msg}, line=exc.lineno
        ) from exc
    # defusedxml's rule as a second guard: no entity references survive.
    for node in root.iter(etree.Entity):
        raise StsError(
            _("Undeclared entity reference &%(name)s; is not allowed.")
            % {"name": node.name},
            line=node.sourceline,
        )
    return root


# --- Text and HTML rendering ---------------------------------------------------


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(el: etree._Element) -> str:
    """All text inside an element, whitespace collapsed."""
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


_INLINE_HTML = {
    "bold": "b",
    "italic": "i",
    "sup": "sup",
    "sub": "sub",
    "monospace": "code",
}


def _inline_html(el: etree._Element) -> str:
    """HTML for mixed content (escaped text, links for xrefs, citations)."""
    parts = [html.escape(el.text or "")]
    for child in el:
        name = _local(child.tag)
        inner = _inline_html(child)
        if name in _INLINE_HTML:
            tag = _INLINE_HTML[name]
            parts.append(f"<{tag}>{inner}</{tag}>")
        elif name == "xref":
            rid = html.escape(child.get("rid", ""), quote=True)
            parts.append(f'<a href="#{rid}" class="xref">{inner}</a>')
        elif name in ("std", "std-ref"):
            parts.append(f"<cite>{inner}</cite>")
        elif name == "ext-link":
            parts.append(inner)
        else:
            parts.append(inner)
        parts.append(html.escape(child.tail or ""))
    return re.sub(r"\s+", " ", "".join(parts))


def _cell_grid(rows: list[etree._Element]) -> list[list[str]]:
    """Cell texts with row and column spans expanded into a rectangle."""
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        out: list[str] = []
        c = 0
        cells = [x for x in row if _local(x.tag) in ("td", "th")]
        for cell in cells:
            while (r, c) in pending:
                out.append(pending.pop((r, c)))
                c += 1
            text = _text(cell)
            colspan = int(cell.get("colspan", "1") or 1)
            rowspan = int(cell.get("rowspan", "1") or 1)
            for dc in range(colspan):
                out.append(text)
                for dr in range(1, rowspan):
                    pending[(r + dr, c + dc)] = text
            c += colspan
        while (r, c) in pending:
            out.append(pending.pop((r, c)))
            c += 1
        grid.append(out)
    width = max((len(r) for r in grid), default=0)
    return [[*r, *[""] * (width - len(r))] for r in grid]


def _table(el: etree._Element) -> ParsedTable:
    label = caption = ""
    table = ParsedTable(anchor=el.get("id", ""))
    for child in el:
        name = _local(child.tag)
        if name == "label":
            label = _text(child)
        elif name == "caption":
            caption = _text(child)
    table.label, table.caption = label, caption
    table_el = next((x for x in el.iter() if _local(x.tag) == "table"), None)
    head_rows: list[etree._Element] = []
    body_rows: list[etree._Element] = []
    if table_el is not None:
        for section in table_el:
            name = _local(section.tag)
            if name == "thead":
                head_rows.extend(x for x in section if _local(x.tag) == "tr")
            elif name in ("tbody", "tfoot"):
                body_rows.extend(x for x in section if _local(x.tag) == "tr")
            elif name == "tr":
                body_rows.append(section)
    grid = _cell_grid(head_rows + body_rows)
    table.head, table.body = grid[: len(head_rows)], grid[len(head_rows) :]
    foot_el = next((x for x in el if _local(x.tag) == "table-wrap-foot"), None)
    if foot_el is not None:
        for fn in foot_el.iter():
            if _local(fn.tag) in ("fn", "p") and (
                _local(fn.tag) == "fn"
                or _local(fn.getparent().tag) == "table-wrap-foot"
            ):
                text = _text(fn)
                if text:
                    table.foot.append(text)
    table.html = _table_html(table, head_rows, body_rows)
    return table


def _table_html(table: ParsedTable, head_rows, body_rows) -> str:
    out = [f'<figure class="table-wrap" id="{html.escape(table.anchor, quote=True)}">']
    if table.label or table.caption:
        out.append(
            f"<figcaption><strong>{html.escape(table.label)}</strong> "
            f"{html.escape(table.caption)}</figcaption>"
        )
    out.append('<table class="sts-table">')
    for group, rows in (("thead", head_rows), ("tbody", body_rows)):
        out.append(f"<{group}>")
        for row in rows:
            out.append("<tr>")
            for cell in row:
                name = _local(cell.tag)
                if name not in ("td", "th"):
                    continue
                attrs = "".join(
                    f' {a}="{int(cell.get(a))}"'
                    for a in ("colspan", "rowspan")
                    if (cell.get(a) or "").isdigit()
                )
                out.append(f"<{name}{attrs}>{_inline_html(cell)}</{name}>")
            out.append("</tr>")
        out.append(f"</{group}>")
    out.append("</table>")
    if table.foot:
        out.append('<div class="table-foot small">')
        out.extend(f"<p>{html.escape(f)}</p>" for f in table.foot)
        out.append("</div>")
    out.append("</figure>")
    return "".join(out)


# --- Structure ----------------------------------------------------------------


class _Builder:
    def __init__(self) -> None:
        self.doc = ParsedDocument(identifier="")

    def block(self, el: etree._Element, clause: ParsedClause) -> None:
        """Add a block-level element's text, HTML and tables to a clause."""
        name = _local(el.tag)
        if name == "p":
            text = _text(el)
            if text:
                clause.paragraphs.append(text)
                clause.html += f"<p>{_inline_html(el)}</p>"
        elif name in ("list", "def-list"):
            tag = (
                "ol" if el.get("list-type", "") not in ("bullet", "dash", "") else "ul"
            )
            clause.html += f'<{tag} class="sts-list">'
            for item in el:
                if _local(item.tag) not in ("list-item", "def-item"):
                    continue
                label = next((_text(x) for x in item if _local(x.tag) == "label"), "")
                body = [x for x in item if _local(x.tag) != "label"]
                text = " ".join(_text(x) for x in body)
                clause.paragraphs.append(f"{label} {text}".strip())
                inner = "".join(_inline_html(x) for x in body)
                clause.html += f"<li>{html.escape(label)} {inner}</li>"
            clause.html += f"</{tag}>"
        elif name == "table-wrap":
            table = _table(el)
            clause.tables.append(table)
            clause.html += table.html
        elif name in ("fn-group",):
            for fn in el:
                text = _text(fn)
                if text:
                    clause.paragraphs.append(text)
                    clause.html += f'<p class="small footnote" id="{html.escape(fn.get("id", ""), quote=True)}">{html.escape(text)}</p>'
        elif name in (
            "non-normative-note",
            "notes-group",
            "non-normative-example",
            "disp-quote",
        ):
            text = _text(el)
            if text:
                clause.paragraphs.append(text)
                clause.html += f'<p class="note muted">{html.escape(text)}</p>'
        elif name == "ref-list":
            for ref in el.iter():
                if _local(ref.tag) != "ref":
                    continue
                self.reference(ref, clause)
        elif name in ("disp-formula", "fig", "boxed-text", "array", "preformat"):
            text = _text(el)
            if text:
                clause.paragraphs.append(text)
                clause.html += f"<p>{html.escape(text)}</p>"

    def reference(self, ref: etree._Element, clause: ParsedClause) -> None:
        std_ref = next((x for x in ref.iter() if _local(x.tag) == "std-ref"), None)
        title_el = next((x for x in ref.iter() if _local(x.tag) == "title"), None)
        ident = _text(std_ref) if std_ref is not None else ""
        title = _text(title_el) if title_el is not None else ""
        if not ident:
            ident = _text(ref)
        if ident:
            self.doc.references.append(ParsedReference(ident, title))
            line = f"{ident}, {title}" if title else ident
            clause.paragraphs.append(line)
            clause.html += (
                f"<p><cite>{html.escape(ident)}</cite> {html.escape(title)}</p>"
            )

    def section(
        self, el: etree._Element, depth: int, parent: int | None, kind: str = "section"
    ) -> None:
        name = _local(el.tag)
        label = next((_text(x) for x in el if _local(x.tag) == "label"), "")
        title = next((_text(x) for x in el if _local(x.tag) == "title"), "")
        annex_type = next((_text(x) for x in el if _local(x.tag) == "annex-type"), "")
        number = label
        if kind == "annex":
            number = re.sub(
                r"^(附\s*录|Annex|Appendix)\s*", "", label, flags=re.I
            ).strip()
        if name == "term-sec":
            kind = "terms"
        clause = ParsedClause(
            number=number,
            title=title,
            kind=kind,
            depth=depth,
            anchor=el.get("id", ""),
            annex_type=annex_type,
            parent_index=parent,
        )
        index = len(self.doc.clauses)
        self.doc.clauses.append(clause)
        if name == "term-sec":
            self.term(el, clause, index)
        for child in el:
            child_name = _local(child.tag)
            if child_name in ("sec", "term-sec"):
                self.section(child, depth + 1, index)
            elif child_name not in ("label", "title", "annex-type", "sec-meta"):
                self.block(child, clause)

    def term(self, el: etree._Element, clause: ParsedClause, index: int) -> None:
        entry = next((x for x in el.iter() if _local(x.tag) == "termEntry"), None)
        if entry is None:
            return
        by_lang: dict[str, dict[str, str]] = {}
        for lang_set in entry:
            if _local(lang_set.tag) != "langSet":
                continue
            lang = lang_set.get(XML_LANG, "")
            terms = [_text(x) for x in lang_set.iter() if _local(x.tag) == "term"]
            definition = " ".join(
                _text(x) for x in lang_set.iter() if _local(x.tag) == "definition"
            )
            notes = " ".join(
                _text(x) for x in lang_set.iter() if _local(x.tag) == "note"
            )
            by_lang[lang] = {
                "term": terms[0] if terms else "",
                "definition": definition,
                "notes": notes,
            }
        if not by_lang:
            return
        main_lang = "zh" if "zh" in by_lang else next(iter(by_lang))
        main = by_lang[main_lang]
        english = by_lang.get("en", {}).get("term", "") if main_lang != "en" else ""
        definition = main["definition"] or next(
            (v["definition"] for v in by_lang.values() if v["definition"]), ""
        )
        term = ParsedTerm(
            number=clause.number,
            term=main["term"],
            term_en=english,
            definition=definition,
            notes=main["notes"],
            clause_index=index,
        )
        self.doc.terms.append(term)
        clause.title = term.term + (f" {term.term_en}" if term.term_en else "")
        if definition:
            clause.paragraphs.append(definition)
            clause.html += f'<p class="definition">{html.escape(definition)}</p>'

    def meta(self, meta: etree._Element) -> tuple[str, str, str]:
        titles: dict[str, str] = {}
        for tw in meta:
            if _local(tw.tag) == "title-wrap":
                lang = tw.get(XML_LANG, "")
                parts = [
                    _text(x)
                    for x in tw
                    if _local(x.tag) in ("intro", "main", "compl", "full")
                ]
                full = next((_text(x) for x in tw if _local(x.tag) == "full"), "")
                titles[lang[:2]] = full or " ".join(p for p in parts if p)
        ref = next((_text(x) for x in meta if _local(x.tag) == "std-ref"), "")
        if not ref:
            ident = next((x for x in meta if _local(x.tag) == "std-ident"), None)
            if ident is not None:
                values = {_local(x.tag): _text(x) for x in ident}
                originator = values.get("originator", "")
                number = values.get("doc-number", "")
                year = values.get("version", "")
                if originator and number:
                    sep = ":" if originator.upper().startswith(("ISO", "IEC")) else "-"
                    ref = f"{originator} {number}" + (f"{sep}{year}" if year else "")
        return ref, titles.get("zh", ""), titles.get("en", "")

    def standard(self, el: etree._Element) -> None:
        front = next((x for x in el if _local(x.tag) == "front"), None)
        if front is not None:
            metas = {_local(x.tag): x for x in front}
            meta = next(
                (metas[k] for k in ("nat-meta", "std-meta", "iso-meta") if k in metas),
                None,
            )
            if meta is not None:
                ref, zh, en = self.meta(meta)
                if not self.doc.identifier:
                    self.doc.identifier = ref
                    self.doc.title_zh, self.doc.title_en = zh, en
                if "nat-meta" in metas and "iso-meta" in metas:
                    iso_ref, _zh, iso_en = self.meta(metas["iso-meta"])
                    if iso_ref and iso_ref != self.doc.identifier:
                        self.doc.adopted_identifier = iso_ref
                        self.doc.adopted_title = iso_en
        for part in el:
            name = _local(part.tag)
            if name == "body":
                for child in part:
                    if _local(child.tag) in ("sec", "term-sec"):
                        self.section(child, 0, None)
            elif name == "back":
                for group in part.iter():
                    if _local(group.tag) == "app":
                        self.section(group, 0, None, kind="annex")
            elif name == "front":
                for sec in part:
                    if _local(sec.tag) == "sec":
                        kind = (
                            "foreword"
                            if sec.get("sec-type") == "foreword"
                            else "introduction"
                        )
                        self.section(sec, 0, None, kind=kind)


def parse_sts(data: bytes) -> ParsedDocument:
    """Read an NISO STS / ISO STS file into a ``ParsedDocument``.

    ``<adoption>`` roots give the national identifier from their
    ``adoption-front`` and the adopted international one from the wrapped
    ``<standard>``'s ``iso-meta``.
    """
    root = safe_parse(data)
    builder = _Builder()
    name = _local(root.tag)
    lang = root.get(XML_LANG, "")
    if name == "adoption":
        front = next((x for x in root if _local(x.tag) == "adoption-front"), None)
        meta = None
        if front is not None:
            meta = next(
                (
                    x
                    for x in front
                    if _local(x.tag) in ("nat-meta", "std-meta", "reg-meta")
                ),
                None,
            )
        if meta is not None:
            ref, zh, en = builder.meta(meta)
            builder.doc.identifier, builder.doc.title_zh, builder.doc.title_en = (
                ref,
                zh,
                en,
            )
        degree = re.search(
            r"\b(IDT|MOD|NEQ)\b", _text(front) if front is not None else ""
        )
        # An <adoption> without a stated degree republishes the text: identical.
        builder.doc.adoption_degree = degree.group(1) if degree else "IDT"
        inner = next((x for x in root.iter() if _local(x.tag) == "standard"), None)
        if inner is None:
            raise StsError(
                _("An <adoption> must wrap a <standard>."), line=root.sourceline
            )
        inner_front = next((x for x in inner if _local(x.tag) == "front"), None)
        if inner_front is not None:
            iso = next(
                (x for x in inner_front if _local(x.tag) in ("iso-meta", "std-meta")),
                None,
            )
            if iso is not None:
                iso_ref, _zh, iso_en = builder.meta(iso)
                builder.doc.adopted_identifier, builder.doc.adopted_title = (
                    iso_ref,
                    iso_en,
                )
                if not builder.doc.identifier:
                    builder.doc.identifier = iso_ref
        builder.standard(inner)
        lang = lang or inner.get(XML_LANG, "")
    elif name == "standard":
        builder.standard(root)
    else:
        raise StsError(
            _("The root element is <%(name)s>; expected <standard> or <adoption>.")
            % {"name": name},
            line=root.sourceline,
        )
    doc = builder.doc
    doc.language = (lang or ("zh" if doc.title_zh else "en"))[:10]
    if not doc.identifier:
        raise StsError(
            _(
                "No <std-ref> or <std-ident> in the front matter: cannot tell which "
                "standard this is."
            )
        )
    if not doc.clauses:
        doc.warnings.append("The body holds no <sec> clauses.")
    return doc


# --- Schema validation ----------------------------------------------------------


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


# --- Export -----------------------------------------------------------------------


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrs: str
) -> etree._Element:
    el = etree.SubElement(
        parent, tag, {k.replace("_", "-"): v for k, v in attrs.items() if v}
    )
    if text:
        el.text = text
    return el


def _split_identifier(identifier: str) -> tuple[str, str, str]:
    m = re.match(r"^(.*?)\s+([\w.\-]+?)(?:[-:](\d{4}))?$", identifier.strip())
    if not m:
        return identifier, identifier, ""
    return m.group(1), m.group(2), m.group(3) or ""


def _meta(
    parent: etree._Element, tag: str, identifier: str, title_zh: str, title_en: str
) -> None:
    meta = _sub(parent, tag)
    if title_zh:
        tw = _sub(meta, "title-wrap")
        tw.set(XML_LANG, "zh")
        _sub(tw, "main", title_zh)
    if title_en:
        tw = _sub(meta, "title-wrap")
        tw.set(XML_LANG, "en")
        _sub(tw, "main", title_en)
    originator, number, year = _split_identifier(identifier)
    ident = _sub(meta, "std-ident")
    _sub(ident, "originator", originator)
    _sub(ident, "doc-type", "standard")
    _sub(ident, "doc-number", number)
    _sub(ident, "version", year or None)
    _sub(meta, "std-ref", identifier, type="dated" if year else "undated")


def _export_table(parent: etree._Element, table: dict[str, Any], index: int) -> None:
    wrap = _sub(parent, "table-wrap", id=table.get("anchor") or f"tab_{index}")
    if table.get("label"):
        _sub(wrap, "label", table["label"])
    if table.get("caption"):
        cap = _sub(wrap, "caption")
        _sub(cap, "title", table["caption"])
    tab = _sub(wrap, "table")
    if table.get("head"):
        thead = _sub(tab, "thead")
        for row in table["head"]:
            tr = _sub(thead, "tr")
            for cell in row:
                _sub(tr, "th", cell)
    tbody = _sub(tab, "tbody")
    for row in table.get("body") or [[""]]:
        tr = _sub(tbody, "tr")
        for cell in row:
            _sub(tr, "td", cell)
    if table.get("foot"):
        foot = _sub(wrap, "table-wrap-foot")
        for i, text in enumerate(table["foot"], start=1):
            fn = _sub(foot, "fn", id=f"{wrap.get('id')}_fn{i}")
            _sub(fn, "p", text)


def _export_clause(
    parent: etree._Element, node: dict[str, Any], counter: list[int]
) -> None:
    kind = node["kind"]
    counter[0] += 1
    anchor = node.get("anchor") or f"sec_{counter[0]}"
    if kind == "annex":
        el = _sub(parent, "app", id=anchor)
        _sub(el, "label", f"Annex {node['number']}" if node["number"] else None)
        if node.get("annex_type"):
            _sub(el, "annex-type", node["annex_type"])
    elif kind == "terms" and node.get("term"):
        el = _sub(parent, "term-sec", id=anchor)
        _sub(el, "label", node["number"] or None)
        entry = etree.SubElement(el, f"{{{TBX_NS}}}termEntry", id=f"term_{anchor}")
        lang_set = etree.SubElement(entry, f"{{{TBX_NS}}}langSet")
        lang_set.set(XML_LANG, node.get("language") or "zh")
        term = node["term"]
        if term.get("definition"):
            etree.SubElement(lang_set, f"{{{TBX_NS}}}definition").text = term[
                "definition"
            ]
        tig = etree.SubElement(lang_set, f"{{{TBX_NS}}}tig")
        etree.SubElement(tig, f"{{{TBX_NS}}}term").text = term["term"]
        if term.get("term_en"):
            en = etree.SubElement(entry, f"{{{TBX_NS}}}langSet")
            en.set(XML_LANG, "en")
            tig = etree.SubElement(en, f"{{{TBX_NS}}}tig")
            etree.SubElement(tig, f"{{{TBX_NS}}}term").text = term["term_en"]
        for child in node["children"]:
            _export_clause(el, child, counter)
        return
    else:
        el = _sub(parent, "sec", id=anchor)
        _sub(el, "label", node["number"] or None)
    _sub(el, "title", node["title"] or None)
    for para in [p for p in (node.get("text") or "").split("\n") if p.strip()]:
        _sub(el, "p", para)
    for i, table in enumerate(node.get("tables") or [], start=1):
        _export_table(el, table, counter[0] * 100 + i)
    for child in node["children"]:
        _export_clause(el, child, counter)


def export_sts(data: dict[str, Any]) -> bytes:
    """STS XML for a document given as the ``document_as_dict`` structure.

    Body clauses become ``<sec>``, term entries ``<term-sec>`` with TBX,
    tables ``<table-wrap>``, annexes ``<app>`` in ``<back><app-group>``.
    An adopted international standard is written as an ``<adoption>``.
    """
    nsmap = {"tbx": TBX_NS, "xlink": XLINK_NS}
    if data.get("adopted_identifier"):
        root = etree.Element("adoption", nsmap=nsmap)
        front = _sub(root, "adoption-front")
        _meta(
            front,
            "std-meta",
            data["identifier"],
            data.get("title_zh", ""),
            data.get("title_en", ""),
        )
        standard = _sub(root, "standard")
        inner_front = _sub(standard, "front")
        _meta(
            inner_front,
            "iso-meta",
            data["adopted_identifier"],
            "",
            data.get("adopted_title", ""),
        )
    else:
        root = etree.Element("standard", nsmap=nsmap)
        standard = root
        front = _sub(standard, "front")
        _meta(
            front,
            "std-meta",
            data["identifier"],
            data.get("title_zh", ""),
            data.get("title_en", ""),
        )
    root.set(XML_LANG, data.get("language") or "zh")
    body = _sub(standard, "body")
    annexes = [c for c in data["clauses"] if c["kind"] == "annex"]
    counter = [0]
    for node in data["clauses"]:
        if node["kind"] != "annex":
            _export_clause(body, node, counter)
    if len(body) == 0:
        _sub(body, "sec", id="sec_empty")
    if annexes:
        back = _sub(standard, "back")
        group = _sub(back, "app-group")
        for node in annexes:
            _export_clause(group, node, counter)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
