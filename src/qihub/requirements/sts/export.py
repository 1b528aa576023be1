"""STS XML for a stored document: body clauses as ``<sec>``, term entries as
``<term-sec>`` with TBX, tables as ``<table-wrap>``, annexes as ``<app>``."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from qihub.requirements.sts.document import TBX_NS, XLINK_NS, XML_LANG


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
