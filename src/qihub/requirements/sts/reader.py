"""NISO STS / ISO STS XML read into a ``ParsedDocument``.

What real files hold and how it is read:

- the front matter's dated ``<std-ref>`` is the identifier (ISO writes
  ``ISO 13849-1:2006-11``: the month is dropped); ``nat-meta`` comes before
  ``reg-meta``, ``std-meta`` and ``iso-meta``, the first with an identifier wins;
- a reference's identifier is its ``<std-ref>`` (the dated one first) or the
  ``<std>`` text, never its label or the ``<std-id-group>`` public identifiers;
- reference lists of a bibliography (``content-type="bibl"``, a Bibliography
  or 参考文献 section) go to ``bibliography``, the others are normative;
- footnotes stay footnotes: a ``<fn>`` inside a table cell or a paragraph leaves
  its label in the text and its text in the table's or clause's footnotes;
  the document's closing ``<fn-group>`` goes to the clause that cites each one.
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from qihub.requirements.sts.document import (
    XML_LANG,
    ParsedClause,
    ParsedDocument,
    ParsedReference,
    ParsedTable,
    ParsedTerm,
    StsError,
    safe_parse,
)

# --- Text and HTML rendering ---------------------------------------------------


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# Never text: the public identifiers of a cited standard (``<std-id-group>``,
# FPIs and internal keys) and footnotes, which leave only their label behind.
_NOT_TEXT = frozenset({"std-id-group", "fn"})


def _label_of(el: etree._Element) -> str:
    return next((_text(x) for x in el if _local(x.tag) == "label"), "")


def _gather(el: etree._Element, parts: list[str]) -> None:
    parts.append(el.text or "")
    for child in el:
        name = _local(child.tag)
        if name == "fn":
            parts.append(_label_of(child))
        elif name not in _NOT_TEXT and isinstance(child.tag, str):
            _gather(child, parts)
        parts.append(child.tail or "")


def _text(el: etree._Element) -> str:
    """All text inside an element, whitespace collapsed, without public
    identifiers; a footnote inside contributes its label only."""
    parts: list[str] = []
    _gather(el, parts)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _footnote_text(fn: etree._Element) -> str:
    """A footnote's label and text ("a Designated architectures …")."""
    label = _label_of(fn)
    body = " ".join(_text(x) for x in fn if _local(x.tag) != "label")
    if not any(_local(x.tag) != "label" for x in fn):
        body = re.sub(r"\s+", " ", fn.text or "").strip()
    return f"{label} {body}".strip()


def _footnotes_in(el: etree._Element) -> list[tuple[str, str]]:
    """(anchor, text) of the footnotes written inline inside ``el`` (in a
    paragraph or a table cell), not those of a footnote group."""
    found = []
    for fn in el.iter():
        if _local(fn.tag) != "fn":
            continue
        parent = fn.getparent()
        if parent is not None and _local(parent.tag) in ("fn-group", "table-wrap-foot"):
            continue
        text = _footnote_text(fn)
        if text:
            found.append((fn.get("id", ""), text))
    return found


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
        if name == "std-id-group" or not isinstance(child.tag, str):
            parts.append(html.escape(child.tail or ""))
            continue
        if name == "fn":
            anchor = html.escape(child.get("id", ""), quote=True)
            label = html.escape(_label_of(child) or "*")
            parts.append(
                f'<sup class="fn-mark"><a href="#{anchor}">{label}</a></sup>'
                if anchor
                else f'<sup class="fn-mark">{label}</sup>'
            )
            parts.append(html.escape(child.tail or ""))
            continue
        inner = _inline_html(child)
        if name in _INLINE_HTML:
            tag = _INLINE_HTML[name]
            parts.append(f"<{tag}>{inner}</{tag}>")
        elif name == "xref":
            rid = html.escape(child.get("rid", ""), quote=True)
            parts.append(f'<a href="#{rid}" class="xref">{inner}</a>')
        elif name in ("std", "std-ref"):
            parts.append(f"<cite>{inner}</cite>")
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
            elif name == "tbody":
                body_rows.extend(x for x in section if _local(x.tag) == "tr")
            elif name == "tfoot":
                for row in (x for x in section if _local(x.tag) == "tr"):
                    cells = [_text(c) for c in row if _local(c.tag) in ("td", "th")]
                    if len(set(cells)) == 1 and len(row) == 1:
                        table.foot.append(cells[0])  # a note across the table
                    else:
                        body_rows.append(row)
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
                text = _footnote_text(fn) if _local(fn.tag) == "fn" else _text(fn)
                if text:
                    table.foot.append(text)
    if table_el is not None:
        for _anchor, text in _footnotes_in(table_el):
            if text not in table.foot:  # one note cited from several cells
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


_BIBLIOGRAPHY_TITLE = re.compile(r"^\s*(bibliography|参\s*考\s*文\s*献)\s*$", re.I)


class _Builder:
    def __init__(self) -> None:
        self.doc = ParsedDocument(identifier="")
        self.in_bibliography = False
        # Footnote anchor -> the innermost clause that cites it.
        self.citing_clause: dict[str, int] = {}

    def footnotes(self, clause: ParsedClause, notes: list[tuple[str, str]]) -> None:
        for anchor, text in notes:
            clause.paragraphs.append(text)
            anchor_attr = html.escape(anchor, quote=True)
            clause.html += (
                f'<p class="small footnote" id="{anchor_attr}">{html.escape(text)}</p>'
            )

    def block(self, el: etree._Element, clause: ParsedClause) -> None:
        """Add a block-level element's text, HTML and tables to a clause."""
        name = _local(el.tag)
        if name == "p":
            text = _text(el)
            if text:
                clause.paragraphs.append(text)
                clause.html += f"<p>{_inline_html(el)}</p>"
            self.footnotes(clause, _footnotes_in(el))
        elif name in ("list", "def-list"):
            tag = (
                "ol" if el.get("list-type", "") not in ("bullet", "dash", "") else "ul"
            )
            clause.html += f'<{tag} class="sts-list">'
            for item in el:
                if _local(item.tag) not in ("list-item", "def-item"):
                    continue
                label = _label_of(item)
                body = [x for x in item if _local(x.tag) != "label"]
                text = " ".join(_text(x) for x in body)
                clause.paragraphs.append(f"{label} {text}".strip())
                inner = "".join(_inline_html(x) for x in body)
                clause.html += f"<li>{html.escape(label)} {inner}</li>"
            clause.html += f"</{tag}>"
            self.footnotes(clause, _footnotes_in(el))
        elif name == "table-wrap":
            table = _table(el)
            clause.tables.append(table)
            clause.html += table.html
        elif name == "fn-group":
            self.footnotes(
                clause,
                [(fn.get("id", ""), _footnote_text(fn)) for fn in el if _text(fn)],
            )
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
            bibliography = self.in_bibliography or el.get("content-type") == "bibl"
            for ref in el.iter():
                if _local(ref.tag) == "ref":
                    self.reference(ref, clause, bibliography=bibliography)
        elif name in ("disp-formula", "fig", "boxed-text", "array", "preformat"):
            text = _text(el)
            if text:
                clause.paragraphs.append(text)
                clause.html += f"<p>{html.escape(text)}</p>"

    def reference(
        self, ref: etree._Element, clause: ParsedClause, *, bibliography: bool
    ) -> None:
        """One cited document. Its identifier is the ``<std-ref>`` (the dated
        one first) or the ``<std>`` text; a publication that is not a standard
        is cited by its text. The label ([1]) and public identifiers are not
        part of either."""
        std_refs = [x for x in ref.iter() if _local(x.tag) == "std-ref"]
        std_ref = next(
            (x for x in std_refs if x.get("type") == "dated" and _text(x)),
            next((x for x in std_refs if _text(x)), None),
        )
        std = next((x for x in ref.iter() if _local(x.tag) == "std"), None)
        title_el = next((x for x in ref.iter() if _local(x.tag) == "title"), None)
        title = _text(title_el) if title_el is not None else ""
        citation = next(
            (x for x in ref if _local(x.tag) in ("mixed-citation", "element-citation")),
            ref,
        )
        if std_ref is not None:
            ident = _text(std_ref)
        elif std is not None:
            ident = _text(std)
        else:
            ident = ""
        if ident and not title:
            # "<std>IEC 61496-1</std>, Safety of machinery — ...": the rest is
            # the title.
            rest = _text(citation)
            at = rest.find(ident)
            if at >= 0:
                title = rest[at + len(ident) :].strip(" ,.;")
        if not ident:
            ident = _text(citation)
            label = _label_of(ref)
            if citation is ref and label and ident.startswith(label):
                ident = ident[len(label) :].strip()
            if not ident:
                return
            if len(ref) == 1 and citation.find(".//bold") is not None:
                # A heading inside the list ("Further publications").
                clause.paragraphs.append(ident)
                clause.html += f"<p><strong>{html.escape(ident)}</strong></p>"
                return
        ident = _undated_month(ident)
        (self.doc.bibliography if bibliography else self.doc.references).append(
            ParsedReference(ident[:200], title)
        )
        label = _label_of(ref)
        line = f"{ident}, {title}" if title else ident
        clause.paragraphs.append(f"[{label}] {line}" if label else line)
        mark = f"[{html.escape(label)}] " if label else ""
        clause.html += (
            f'<p id="{html.escape(ref.get("id", ""), quote=True)}">{mark}'
            f"<cite>{html.escape(ident)}</cite> {html.escape(title)}</p>"
        )

    def section(
        self, el: etree._Element, depth: int, parent: int | None, kind: str = "section"
    ) -> None:
        name = _local(el.tag)
        label = _label_of(el)
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
        outer = self.in_bibliography
        self.in_bibliography = outer or (
            "bibl" in (el.get("content-type") or "")
            or "bibl" in (el.get("sec-type") or "")
            or bool(_BIBLIOGRAPHY_TITLE.match(title))
        )
        for xref in el.iter("xref"):
            if xref.get("ref-type") == "fn" and xref.get("rid"):
                self.citing_clause[xref.get("rid")] = index  # subclauses overwrite
        if name == "term-sec":
            self.term(el, clause, index)
        for child in el:
            child_name = _local(child.tag)
            if child_name in ("sec", "term-sec"):
                self.section(child, depth + 1, index)
            elif child_name not in ("label", "title", "annex-type", "sec-meta"):
                self.block(child, clause)
        self.in_bibliography = outer

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
                titles.setdefault(lang[:2], full or " ".join(p for p in parts if p))
        refs = [x for x in meta if _local(x.tag) == "std-ref" and _text(x)]
        # The dated identifier names the edition; the undated one all editions.
        ref = next(
            (_text(x) for x in refs if x.get("type") == "dated"),
            _text(refs[0]) if refs else "",
        )
        if not ref:
            ident = next((x for x in meta if _local(x.tag) == "std-ident"), None)
            if ident is not None:
                values = {
                    _local(x.tag): _text(x)
                    for x in ident
                    if _text(x) and _text(x).upper() != "N/A"
                }
                originator = values.get("originator", "")
                number = values.get("doc-number", "")
                if values.get("part-number"):
                    number += f"-{values['part-number']}"
                year = values.get("version", "")
                if originator and number:
                    sep = ":" if originator.upper().startswith(("ISO", "IEC")) else "-"
                    ref = f"{originator} {number}" + (f"{sep}{year}" if year else "")
        # Without a Chinese or English title, the title in the file's other
        # language (a DIN text's German one) stands in for the English.
        english = (
            titles.get("en")
            or titles.get("")
            or next((t for lang, t in titles.items() if lang != "zh" and t), "")
        )
        return _undated_month(ref), titles.get("zh", ""), english

    def identify(self, metas: list[etree._Element]) -> None:
        """Identifier and titles from the first front-matter block that names
        the standard (national, then regional, then international)."""
        for meta in metas:
            ref, zh, en = self.meta(meta)
            if ref:
                self.doc.identifier = ref
                self.doc.title_zh, self.doc.title_en = zh, en
                return

    def standard(self, el: etree._Element) -> None:
        front = next((x for x in el if _local(x.tag) == "front"), None)
        if front is not None:
            metas = {_local(x.tag): x for x in front}
            order = ("nat-meta", "reg-meta", "std-meta", "iso-meta")
            if not self.doc.identifier:
                self.identify([metas[k] for k in order if k in metas])
            if "iso-meta" in metas and ("nat-meta" in metas or "reg-meta" in metas):
                iso_ref, _zh, iso_en = self.meta(metas["iso-meta"])
                if iso_ref and iso_ref != self.doc.identifier:
                    self.doc.adopted_identifier = iso_ref
                    self.doc.adopted_title = iso_en
        back_notes: list[etree._Element] = []
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
                back_notes = [
                    fn
                    for group in part
                    if _local(group.tag) == "fn-group"
                    for fn in group
                    if _local(fn.tag) == "fn"
                ]
            elif name == "front":
                for sec in part:
                    if _local(sec.tag) == "sec":
                        kind = (
                            "foreword"
                            if sec.get("sec-type") == "foreword"
                            else "introduction"
                        )
                        self.section(sec, 0, None, kind=kind)
        self.document_footnotes(back_notes)

    def document_footnotes(self, notes: list[etree._Element]) -> None:
        """The closing footnote group: each footnote joins the clause that
        cites it, as a footnote."""
        unplaced = 0
        for fn in notes:
            text, anchor = _footnote_text(fn), fn.get("id", "")
            if not text:
                continue
            index = self.citing_clause.get(anchor)
            if index is None:
                unplaced += 1
                continue
            self.footnotes(self.doc.clauses[index], [(anchor, text)])
        if unplaced:
            self.doc.warnings.append(
                _("%(n)d footnotes are cited nowhere and were left out.")
                % {"n": unplaced}
            )


def _undated_month(identifier: str) -> str:
    """ISO's dated form may carry the month (ISO 13849-1:2006-11); the
    edition is the year."""
    return re.sub(r"(:\d{4})-\d{2}(?:-\d{2})?(?=$|\s|\()", r"\1", identifier.strip())


def parse_sts(data: bytes) -> ParsedDocument:
    """Read an NISO STS / ISO STS file into a ``ParsedDocument``.

    ``<adoption>`` roots give the national identifier from their
    ``adoption-front`` (any national prefix: GB, DIN, BS, NF …) and the
    adopted international one from the wrapped ``<standard>``'s ``iso-meta``.
    """
    root = safe_parse(data)
    builder = _Builder()
    name = _local(root.tag)
    lang = root.get(XML_LANG, "")
    if name == "adoption":
        front = next((x for x in root if _local(x.tag) == "adoption-front"), None)
        if front is not None:
            metas = {_local(x.tag): x for x in front}
            builder.identify(
                [metas[k] for k in ("nat-meta", "std-meta", "reg-meta") if k in metas]
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
    if doc.adopted_identifier == doc.identifier:
        doc.adopted_identifier = doc.adopted_title = ""
    doc.language = (lang or ("zh" if doc.title_zh else "en"))[:10]
    if not doc.identifier:
        raise StsError(
            _(
                "No <std-ref> or <std-ident> in the front matter: cannot tell which "
                "standard this is."
            )
        )
    if not doc.clauses:
        doc.warnings.append(_("The body holds no <sec> clauses."))
    return doc
