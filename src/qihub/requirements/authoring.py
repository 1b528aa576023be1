"""Simple authoring formats for staff without XML tools: YAML and Markdown.

YAML::

    standard: Q/ABC 001-2024
    title_zh: 婴儿连体衣
    references: [GB 31701-2015]
    clauses:
      - number: "4.1"
        title: 甲醛
        text: 甲醛含量应不大于 20 mg/kg。
        table: {caption: ..., head: [[项目, 指标]], rows: [[甲醛含量/(mg/kg) ≤, 20]]}
        clauses: [...]
    terms: [{number: "3.1", term: 连体衣, definition: ...}]
    annexes: [{number: A, title: ..., text: ...}]

Markdown: a YAML front matter block (``---``) with ``standard`` and titles,
then headings that start with the clause number (``## 4.1 甲醛``), pipe tables,
and ``# 附录A 标题`` / ``# Annex A Title`` for annexes. Under a heading
"术语和定义" / "Terms and definitions", each sub-heading is a term and its
text the definition.
"""

from __future__ import annotations

import html
import re
from typing import Any

import yaml
from django.utils.translation import gettext as _

from qihub.requirements.sts import (
    ParsedClause,
    ParsedDocument,
    ParsedReference,
    ParsedTable,
    ParsedTerm,
    StsError,
)

MAX_BYTES = 5 * 1024 * 1024
_TERMS_TITLES = ("术语和定义", "术语", "terms and definitions", "terms")


def _paragraph_html(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())


def _table_from(data: dict[str, Any]) -> ParsedTable:
    head = [[str(c) for c in row] for row in data.get("head") or []]
    body = [[str(c) for c in row] for row in data.get("rows") or data.get("body") or []]
    table = ParsedTable(
        label=str(data.get("label", "")),
        caption=str(data.get("caption", "")),
        head=head,
        body=body,
        foot=[str(f) for f in data.get("foot") or []],
    )
    table.html = _table_html(table)
    return table


def _table_html(table: ParsedTable) -> str:
    parts = ['<figure class="table-wrap">']
    if table.label or table.caption:
        parts.append(
            f"<figcaption><strong>{html.escape(table.label)}</strong> "
            f"{html.escape(table.caption)}</figcaption>"
        )
    parts.append('<table class="sts-table"><thead>')
    for row in table.head:
        parts.append(
            "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in row) + "</tr>"
        )
    parts.append("</thead><tbody>")
    for row in table.body:
        parts.append(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        )
    parts.append("</tbody></table>")
    if table.foot:
        parts.append(
            '<div class="table-foot small">'
            + "".join(f"<p>{html.escape(f)}</p>" for f in table.foot)
            + "</div>"
        )
    parts.append("</figure>")
    return "".join(parts)


def _add_clause(
    doc: ParsedDocument,
    node: dict[str, Any],
    depth: int,
    parent: int | None,
    kind: str,
    where: str,
) -> None:
    if not isinstance(node, dict):
        raise StsError(
            _("%(where)s: each clause must be a mapping with number and title.")
            % {"where": where}
        )
    text = str(node.get("text") or "").strip()
    clause = ParsedClause(
        number=str(node.get("number", "")).strip(),
        title=str(node.get("title", "")).strip(),
        kind=kind,
        depth=depth,
        paragraphs=[p.strip() for p in text.split("\n") if p.strip()],
        html=_paragraph_html(text),
        parent_index=parent,
    )
    tables = node.get("tables") or ([node["table"]] if node.get("table") else [])
    for table in tables:
        if not isinstance(table, dict):
            raise StsError(
                _("%(where)s: a table must be a mapping with head and rows.")
                % {"where": where}
            )
        parsed = _table_from(table)
        clause.tables.append(parsed)
        clause.html += parsed.html
    index = len(doc.clauses)
    doc.clauses.append(clause)
    for i, child in enumerate(node.get("clauses") or []):
        _add_clause(doc, child, depth + 1, index, "section", f"{where}.clauses[{i}]")


def parse_yaml(data: bytes) -> ParsedDocument:
    """Read the YAML authoring format; raises ``StsError`` with the line."""
    if len(data) > MAX_BYTES:
        raise StsError(_("The file is larger than 5 MB."))
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StsError(_("The file is not UTF-8 text.")) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StsError(
            _("Malformed YAML: %(reason)s") % {"reason": getattr(exc, "problem", exc)},
            line=mark.line + 1 if mark else None,
        ) from exc
    return from_mapping(raw)


def from_mapping(raw: Any) -> ParsedDocument:
    if not isinstance(raw, dict) or not raw.get("standard"):
        raise StsError(_("The document must start with 'standard: <identifier>'."))
    doc = ParsedDocument(
        identifier=str(raw["standard"]).strip(),
        title_zh=str(raw.get("title_zh", "")),
        title_en=str(raw.get("title_en", "")),
        language=str(raw.get("language", "zh")),
        adopted_identifier=str(raw.get("adopts", "") or ""),
    )
    for ref in raw.get("references") or []:
        if isinstance(ref, dict):
            doc.references.append(
                ParsedReference(
                    str(ref.get("identifier", "")), str(ref.get("title", ""))
                )
            )
        else:
            doc.references.append(ParsedReference(str(ref)))
    for i, node in enumerate(raw.get("clauses") or []):
        _add_clause(doc, node, 0, None, "section", f"clauses[{i}]")
    terms = raw.get("terms") or []
    if terms:
        holder = next(
            (
                i
                for i, c in enumerate(doc.clauses)
                if c.title.casefold() in _TERMS_TITLES
            ),
            None,
        )
        for term in terms:
            if not isinstance(term, dict) or not term.get("term"):
                raise StsError(_("Each term needs 'term' and 'definition'."))
            clause = ParsedClause(
                number=str(term.get("number", "")),
                title=str(term["term"]),
                kind="terms",
                depth=1 if holder is not None else 0,
                paragraphs=[str(term.get("definition", ""))],
                html=_paragraph_html(str(term.get("definition", ""))),
                parent_index=holder,
            )
            doc.clauses.append(clause)
            doc.terms.append(
                ParsedTerm(
                    number=clause.number,
                    term=str(term["term"]),
                    term_en=str(term.get("term_en", "")),
                    definition=str(term.get("definition", "")),
                    clause_index=len(doc.clauses) - 1,
                )
            )
    for i, node in enumerate(raw.get("annexes") or []):
        _add_clause(doc, node, 0, None, "annex", f"annexes[{i}]")
    _reorder(doc)
    return doc


def _reorder(doc: ParsedDocument) -> None:
    """Put child clauses right after their parent (reading order)."""
    children: dict[int | None, list[int]] = {}
    for i, c in enumerate(doc.clauses):
        children.setdefault(c.parent_index, []).append(i)
    order: list[int] = []

    def walk(parent: int | None) -> None:
        for i in children.get(parent, []):
            order.append(i)
            walk(i)

    walk(None)
    new_index = {old: new for new, old in enumerate(order)}
    clauses = [doc.clauses[i] for i in order]
    for c in clauses:
        c.parent_index = (
            new_index[c.parent_index] if c.parent_index is not None else None
        )
    for t in doc.terms:
        t.clause_index = (
            new_index[t.clause_index] if t.clause_index is not None else None
        )
    doc.clauses = clauses


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_ANNEX = re.compile(r"^(附\s*录|Annex)\s*([A-Z])\s*(.*)$", re.IGNORECASE)
_NUMBERED = re.compile(r"^([A-Z]?\d+(?:\.\d+)*|[A-Z]\.\d+(?:\.\d+)*)\s+(.*)$")


def parse_markdown(data: bytes) -> ParsedDocument:
    """Read the Markdown authoring format (front matter + numbered headings)."""
    if len(data) > MAX_BYTES:
        raise StsError(_("The file is larger than 5 MB."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StsError(_("The file is not UTF-8 text.")) from exc
    lines = text.splitlines()
    meta: dict[str, Any] = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise StsError(_("The front matter is not closed with '---'."), line=1)
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as exc:
            raise StsError(
                _("Malformed front matter: %(reason)s") % {"reason": exc}, line=2
            ) from exc
        start = end + 1
    if not isinstance(meta, dict) or not meta.get("standard"):
        raise StsError(
            _("The front matter must give 'standard: <identifier>'."), line=1
        )
    root: dict[str, Any] = {**meta, "clauses": [], "annexes": [], "terms": []}
    stack: list[tuple[int, dict[str, Any]]] = []
    in_terms_level: int | None = None
    current: dict[str, Any] | None = None
    table_lines: list[str] = []

    def flush_table() -> None:
        nonlocal table_lines
        if table_lines and current is not None:
            rows = [
                [c.strip() for c in ln.strip().strip("|").split("|")]
                for ln in table_lines
                if not re.fullmatch(r"\|?[\s:\-|]+\|?", ln.strip())
            ]
            if rows:
                current.setdefault("tables", []).append(
                    {"head": rows[:1], "rows": rows[1:]}
                )
        table_lines = []

    for lineno, line in enumerate(lines[start:], start=start + 1):
        m = _HEADING.match(line)
        if m:
            flush_table()
            level, heading = len(m.group(1)), m.group(2).strip()
            annex = _ANNEX.match(heading) if level == 1 else None
            if annex:
                node = {
                    "number": annex.group(2).upper(),
                    "title": annex.group(3).strip(),
                    "text": "",
                }
                root["annexes"].append(node)
                stack = [(level, node)]
                current = node
                in_terms_level = None
                continue
            numbered = _NUMBERED.match(heading)
            if not numbered:
                raise StsError(
                    _("Heading %(heading)r does not start with a clause number.")
                    % {"heading": heading},
                    line=lineno,
                )
            number, title = numbered.group(1), numbered.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            if in_terms_level is not None and level > in_terms_level:
                term = {"number": number, "term": title, "definition": ""}
                root["terms"].append(term)
                current = {"_term": term}
                continue
            in_terms_level = level if title.casefold() in _TERMS_TITLES else None
            node = {"number": number, "title": title, "text": "", "clauses": []}
            if stack:
                stack[-1][1].setdefault("clauses", []).append(node)
            else:
                root["clauses"].append(node)
            stack.append((level, node))
            current = node
            continue
        if current is None:
            if line.strip():
                raise StsError(
                    _("Text before the first numbered heading."), line=lineno
                )
            continue
        if line.strip().startswith("|"):
            table_lines.append(line)
            continue
        flush_table()
        if "_term" in current:
            if line.strip():
                term = current["_term"]
                term["definition"] = (term["definition"] + " " + line.strip()).strip()
            continue
        if line.strip():
            current["text"] = (current["text"] + "\n" + line.strip()).strip()
    flush_table()
    return from_mapping(root)
