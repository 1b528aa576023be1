"""Proposing requirements from a standard's text and tables.

STS has no requirement element, so requirements are recognised from the
verbal forms of ISO/IEC Directives Part 2 (shall, shall not, should, may;
"can" is a possibility, not a requirement) and GB/T 1.1-2020 (应, 不应, 宜,
不宜, 可; 能 is a possibility), combined with a limit phrase ("不应大于 0.1
mg/kg", "shall not exceed 20 mg/kg", "≤ 75 mg/kg", "4.0～7.5") and a known
parameter name. Tables of indicators are read row by row: units often sit in
header cells or the row label, decimal commas ("1,0") are read as decimals,
and footnotes are read as sentences.

Everything here is pure: the result is a list of ``Proposal`` for staff to
confirm. ``resolve`` maps a parameter name to a key (default: the built-in
vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from qihub.requirements import units
from qihub.requirements.parameters import BUILTIN, fold


@dataclass
class Proposal:
    """A requirement read from text, before review."""

    parameter: str
    operator: str
    value: Decimal | None = None
    upper: Decimal | None = None
    unit: str = ""
    kind: str = "shall"
    conditions: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    source_text: str = ""
    origin: str = "sentence"
    parameter_text: str = ""
    # The parameter is not in the vocabulary: ``parameter`` is the name as
    # written (a table's row label), for staff to map to a parameter.
    new_parameter: bool = False


# --- Parameter names -------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_names() -> list[tuple[str, str]]:
    """(name, key) pairs, longest name first, for matching inside sentences."""
    pairs: dict[str, str] = {}
    for key, zh, en, _unit, synonyms in BUILTIN:
        for name in (zh, en, *synonyms):
            if name and not (name.isascii() and len(name) <= 2 and name != "ph"):
                pairs.setdefault(name.casefold(), key)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


def builtin_resolve(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return None
    for key, zh, en, _unit, synonyms in BUILTIN:
        for name in (key, zh, en, *synonyms):
            if fold(name) == folded:
                return key
    for suffix in ("含量", "content", "value", "值", "限量"):
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return builtin_resolve(folded[: -len(suffix)])
    return None


def find_parameters(text: str) -> list[tuple[int, int, str, str]]:
    """Known parameter names in a text: (start, end, key, matched), no overlaps."""
    lowered = text.casefold()
    taken = [False] * len(text)
    found = []
    for name, key in _builtin_names():
        start = 0
        while True:
            i = lowered.find(name, start)
            if i < 0:
                break
            j = i + len(name)
            boundary_ok = True
            if name.isascii():
                before = lowered[i - 1] if i > 0 else " "
                after = lowered[j] if j < len(lowered) else " "
                boundary_ok = not before.isalnum() and not after.isalpha()
            if boundary_ok and not any(taken[i:j]):
                for k in range(i, j):
                    taken[k] = True
                found.append((i, j, key, text[i:j]))
            start = j
    return sorted(found)


# --- Numbers and units ---------------------------------------------------------------

_NUMBER = r"[-+]?(?:\d{1,3}(?:[ \u2009]\d{3})+(?!\d)|\d+)(?:[.,]\d+)?"
_UNIT_WORDS = (
    r"(?:[毫微纳]?克|千克|公斤|[毫微]?升|[毫厘微]?米|摄氏度|分贝|牛顿?|千帕|帕|伏|瓦|个|级)"
    r"|(?:[μµu]?g|mg|ng|kg|mL|ml|L|mm|cm|dm|m|N|kPa|Pa|V|W|J|dB|CFU|MPN|cfu)(?:\^?[23]|²|³)?"
)
_UNIT = rf"(?P<unit>%\s?vol\b|%|‰|ppm|ppb|℃|°C|(?:{_UNIT_WORDS})(?:\s*(?:/|每)\s*(?:\d+\s*)?(?:{_UNIT_WORDS})(?:\d)?)?)"


def to_number(text: str) -> Decimal | None:
    t = text.strip().replace(" ", "")
    if re.fullmatch(r"[-+]?\d+,\d+", t):
        t = t.replace(",", ".")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def clean_unit(text: str) -> str:
    if not text:
        return ""
    try:
        return units.normalise_unit(text)
    except units.UnitError:
        return ""


# --- Sentences ------------------------------------------------------------------------

_KIND_PATTERNS = [
    ("should", re.compile(r"宜|不宜|\bshould\b|\bit is recommended\b", re.I)),
    (
        "may",
        re.compile(
            r"(?<![不])可(?!迁移|触及|食用|分解|萃取|溶|燃|接触|靠|能|见)"
            r"|\bmay\b|\bis permitted\b",
            re.I,
        ),
    ),
    (
        "shall",
        re.compile(r"应|不得|必须|严禁|\bshall\b|\bmust\b|\bis required\b", re.I),
    ),
]

# Operator phrases; order matters (longer and negated forms first).
_OPS: list[tuple[str, str]] = [
    (
        "range",
        rf"(?:应在|应为|为|在|范围为|between|from|of)?\s*(?P<lo>{_NUMBER})\s*(?:{_UNIT})?\s*(?:～|~|〜|－|—|-|至|到|and|to)\s*(?P<hi>{_NUMBER})",
    ),
    (
        "<=",
        r"(?:不应大于|不应超过|应不大于|应不超过|不得大于|不得超过|不大于|不超过|不高于|应不高于|不应高于|最大(?:值)?为|最高为|限值为|限量为|限量值为|小于或等于|小于等于|≤|<=|shall not exceed|shall not be (?:more|greater) than|shall be not (?:more|greater) than|should not exceed|should not be (?:more|greater) than|shall be less than or equal to|shall be at most|(?:does|do) not exceed|not (?:more|greater) than|not to exceed|not exceeding|must not exceed|a maximum of|maximum of|max\.?|at most|up to)",
    ),
    (
        ">=",
        r"(?:不应小于|不应低于|应不小于|应不低于|不得小于|不得低于|不小于|不低于|最小(?:值)?为|大于或等于|大于等于|≥|>=|shall be at least|shall not be less than|shall be not less than|should be at least|should not be less than|not less than|a minimum of|minimum of|min\.?|at least)",
    ),
    (
        "<",
        r"(?:应小于|应低于|小于|低于|<|shall be less than|shall be lower than|should be less than|less than|below)",
    ),
    (
        ">",
        r"(?:应大于|应高于|大于|高于|>|shall be greater than|shall be more than|shall exceed|should exceed|greater than|more than|above)",
    ),
]
_OP_RES = [(op, re.compile(pat, re.I)) for op, pat in _OPS]
_LIMIT = re.compile(rf"^\s*(?P<grade>grade\s+)?(?P<num>{_NUMBER})\s*{_UNIT}?", re.I)
_NOT_DETECTED = re.compile(r"不得检出|不应检出|shall not be detected|not detectable")
_NEGATIVE_BOOL = re.compile(
    r"不应有|不得有|应无|不应存在|不得存在|不得使用|不应使用|禁止使用|严禁使用|不得添加|不应添加|禁止添加|严禁添加"
    r"|shall not (?:have|contain|be present|be used|be added)|shall be free (?:from|of)|shall have no",
    re.I,
)

_CONDITION_RULES: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"婴幼儿|infant|under 36 months|36个月及以下"), "age_group", "infant"),
    (re.compile(r"(?<!婴幼)儿童|children(?! under 36)"), "age_group", "child"),
    (re.compile(r"成人|adult"), "age_group", "adult"),
    (re.compile(r"([ABC])\s*类"), "class", "{0}"),
    (re.compile(r"\bclass\s+([ABC])\b", re.I), "class", "{0}"),
    (
        re.compile(r"直接接触皮肤|in direct contact with (?:the )?skin"),
        "skin_contact",
        "direct",
    ),
    (re.compile(r"非直接接触皮肤|not in direct contact"), "skin_contact", "indirect"),
]


def detect_conditions(text: str) -> dict[str, str]:
    conditions: dict[str, str] = {}
    for pattern, key, value in _CONDITION_RULES:
        m = pattern.search(text)
        if m and key not in conditions:
            conditions[key] = (
                value.format(*(g.upper() for g in m.groups())) if m.groups() else value
            )
    return conditions


def detect_kind(text: str) -> str | None:
    """shall / should / may from the verbal form, None for statements of fact
    or possibility (能, can)."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text):
            return kind
    return None


_CLAUSE_SPLIT = re.compile(r"(?<=[；;。])|(?<=[，,])\s*(?=[^\d])|(?<=\.)\s+(?=[A-Z])")


def _segments(text: str) -> list[str]:
    """Split a sentence into parts that hold at most one limit each; commas
    inside brackets (test conditions such as "（水，60 ℃，2 h）") do not split."""
    masked = re.sub(
        r"[（(][^（）()]*[）)]",
        lambda m: m.group(0).replace("，", "\x00").replace(",", "\x01"),
        text,
    )
    parts = re.split(
        r"[；;。]|(?<=[a-z0-9%])\.\s+|，(?=[^，]*?(?:应|不应|不得|宜|可))|, and (?=the )",
        masked,
    )
    return [
        p.replace("\x00", "，").replace("\x01", ",").strip()
        for p in parts
        if p and p.strip()
    ]


def _limit_after(
    segment: str, start: int
) -> tuple[str, Decimal | None, Decimal | None, str] | None:
    """The operator and limit that follow position ``start``."""
    found = _limits_after(segment, start)
    return found[0] if found else None


def _limits_after(
    segment: str, start: int
) -> list[tuple[str, Decimal | None, Decimal | None, str]]:
    """The first limit after ``start`` and any joined to it by 且/and
    ("不小于6.5且不大于8.5" is two limits)."""
    tail = segment[start:]
    best = None
    for op, pattern in _OP_RES:
        for m in pattern.finditer(tail):
            if best is not None and m.start() >= best[0]:
                break
            found = _limit_at(op, m, tail)
            if found is not None:
                best = (m.start(), found[0], found[1])
                break
    if best is None:
        return []
    limits = [best[1]]
    rest = tail[best[2] :]
    joined = re.match(r"\s*(?:且|并且|而且|,? and|,? but)\s*", rest)
    if joined:
        more = _limits_after(rest, joined.end())
        if more and more[0][0] != limits[0][0]:
            limits.extend(more)
    return limits


def _limit_at(op: str, m: re.Match, tail: str):
    """The limit an operator match introduces, with the end position, or None."""
    if op == "range":
        lo, hi = to_number(m.group("lo")), to_number(m.group("hi"))
        if lo is None or hi is None or lo > hi:
            return None
        after = tail[m.end() :]
        um = re.match(rf"\s*{_UNIT}", after)
        unit = clean_unit(um.group("unit")) if um else ""
        end = m.end() + (um.end() if um else 0)
        if not unit:
            um_lo = re.match(rf"\s*{_NUMBER}\s*{_UNIT}", tail[m.start("lo") :])
            unit = clean_unit(um_lo.group("unit")) if um_lo else ""
        return ("range", lo, hi, unit), end
    lm = _LIMIT.match(tail[m.end() :])
    if not lm:
        return None
    number = to_number(lm.group("num"))
    if number is None:
        return None
    unit = "grade" if lm.group("grade") else clean_unit(lm.group("unit") or "")
    return (op, number, None, unit), m.end() + lm.end()


def extract_sentence(
    text: str,
    *,
    default_kind: str | None = None,
    context: str = "",
    resolve: Callable[[str], str | None] | None = None,
) -> list[Proposal]:
    """Requirements in one sentence (or paragraph).

    ``context`` (a clause title, a table caption) names the parameter when the
    sentence does not. Statements without a verbal form of obligation,
    recommendation or permission give nothing unless ``default_kind`` is set
    (table cells, footnotes of limit tables).
    """
    proposals: list[Proposal] = []
    for segment in _segments(text):
        kind = detect_kind(segment) or default_kind
        if kind is None and (
            re.search(r"[≤≥]", segment) or re.search(r"\d\s*[~～〜]\s*\d", segment)
        ):
            kind = "shall"  # a bare "≤ 75 mg/kg" or "38.0~55.0 %vol" in a list
        if kind is None:
            continue
        params = find_parameters(segment)
        if not params and context:
            ctx = find_parameters(context)
            params = [(0, 0, key, name) for _s, _e, key, name in ctx[:1]]
        if not params:
            proposals.extend(_unknown_parameter_line(segment, kind, text))
            continue
        conditions = detect_conditions(segment) or detect_conditions(context)
        for idx, (_s, end, key, name) in enumerate(params):
            next_start = params[idx + 1][0] if idx + 1 < len(params) else len(segment)
            window = segment[:next_start] if next_start > end else segment
            limit = _limit_after(window, end)
            if limit is None and idx == len(params) - 1 and len(params) > 1:
                limit = None
            if limit is None:
                if _NOT_DETECTED.search(segment[end:]) or (
                    (
                        _NEGATIVE_BOOL.search(segment[: end + 12])
                        or _NEGATIVE_BOOL.search(segment[end:])
                    )
                    and not re.search(_NUMBER, segment[end:])
                ):
                    proposals.append(
                        Proposal(
                            key,
                            "bool",
                            Decimal(0),
                            kind=kind,
                            conditions=dict(conditions),
                            source_text=text,
                            parameter_text=name,
                        )
                    )
                continue
            label_unit = _unit_in(window[end : end + 16])
            for op, value, upper, unit in _limits_after(window, end):
                unit = unit or label_unit
                proposals.append(
                    Proposal(
                        key,
                        op,
                        value,
                        upper,
                        unit,
                        kind=kind,
                        conditions=dict(conditions),
                        source_text=text,
                        parameter_text=name,
                    )
                )
    return _dedupe(proposals)


# "甲醇 ≤2.0 g/L", "氰化物(以HCN计)/(mg/L) ≤ 8.0": a name, an optional basis
# ("以…计") and unit, then the limit, on a line of its own.
_QUALIFIER = r"(?:\s*[（(]以[^（）()]{1,12}计[）)])"
_NAMED_LIMIT = re.compile(
    rf"^\s*(?P<name>[A-Za-z\u4e00-\u9fff][A-Za-z\u4e00-\u9fff \-]{{0,19}}?)"
    rf"{_QUALIFIER}?\s*(?:/\s*[（(]?[^（）()\d]{{1,12}}[）)]?)?\s*"
    rf"(?=≤|≥|<|>|{_NUMBER}\s*[~～〜])"
)
_NOT_A_NAME = re.compile(r"应|不|得|宜|可|须|为|是|shall|should|may|must", re.I)


def _unknown_parameter_line(segment: str, kind: str, text: str) -> list[Proposal]:
    """A limit whose parameter is not in the vocabulary, when the line is just
    "name limit": the name becomes a new parameter for staff to map."""
    m = _NAMED_LIMIT.match(segment)
    if not m or _NOT_A_NAME.search(m.group("name")):
        return []
    rest = re.sub(rf"{_NUMBER}|{_UNIT}", " ", segment[m.end() :])
    if re.sub(r"[\s≤≥<>~～〜。.;；,，)）]|\b[a-z]\b", "", rest):
        return []  # more than a limit follows: a sentence, not a limit line
    name = m.group("name").strip()
    label_unit = _unit_in(segment[: m.end()])
    return [
        Proposal(
            name,
            op,
            value,
            upper,
            unit or label_unit,
            kind=kind,
            source_text=text,
            parameter_text=name,
            new_parameter=True,
        )
        for op, value, upper, unit in _limits_after(segment, m.end())
    ]


def _dedupe(proposals: Iterable[Proposal]) -> list[Proposal]:
    seen = set()
    out = []
    for p in proposals:
        key = (
            p.parameter,
            p.operator,
            p.value,
            p.upper,
            p.unit,
            tuple(sorted(p.conditions.items())),
            p.subject,
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


# --- Tables ----------------------------------------------------------------------------

_UNIT_IN_LABEL = re.compile(
    rf"(?:[/（(]\s*\(?|/)\s*{_UNIT}|(?<=\s)(?P<bare>%|‰)(?=\s|$)"
)
_OP_IN_LABEL = re.compile(r"(≤|≥|<|>|不大于|不小于|不超过|最大|最小|max|min)\s*$", re.I)
_CELL = re.compile(
    rf"^\s*(?P<op>≤|≥|<|>|不大于|不小于)?\s*(?P<num>{_NUMBER})\s*(?:(?:～|~|〜|－|-|至)\s*(?P<hi>{_NUMBER}))?\s*{_UNIT}?\s*[a-z]?\)?\s*$"
)
_GRADE_CELL = re.compile(r"^\s*(?P<lo>\d)\s*-\s*(?P<hi>\d)\s*$")
_OP_WORDS = {
    "≤": "<=",
    "不大于": "<=",
    "不超过": "<=",
    "最大": "<=",
    "max": "<=",
    "≥": ">=",
    "不小于": ">=",
    "最小": ">=",
    "min": ">=",
    "<": "<",
    ">": ">",
}


def _unit_in(text: str) -> str:
    m = _UNIT_IN_LABEL.search(text)
    return clean_unit(m.group("unit") or m.group("bare")) if m else ""


def _op_in(text: str) -> str | None:
    m = _OP_IN_LABEL.search(text.strip())
    if m:
        return _OP_WORDS.get(m.group(1).lower(), _OP_WORDS.get(m.group(1)))
    if re.search(r"限量|最大|maximum|max\b|limit", text, re.I):
        return "<="
    if re.search(r"最小|minimum|min\b", text, re.I):
        return ">="
    return None


def _read_cell(
    cell: str,
) -> tuple[str | None, Decimal | None, Decimal | None, str] | None:
    """(operator, value, upper, unit) from a table cell, None if not a limit."""
    text = cell.strip().replace("\u3000", " ")
    text = re.sub(r"(?<=\d)\s*[a-z]\)?$", "", text)  # footnote marks: 0,5a
    if not text or text in ("—", "-", "/", "－", "–"):
        return None
    grade = _GRADE_CELL.match(text)
    if grade:
        # "3-4" in colour fastness tables is the half grade 3.5, not a range.
        lo, hi = Decimal(grade.group("lo")), Decimal(grade.group("hi"))
        if hi == lo + 1:
            return None, (lo + hi) / 2, None, ""
    m = _CELL.match(text)
    if not m:
        return None
    value = to_number(m.group("num"))
    hi = to_number(m.group("hi")) if m.group("hi") else None
    op = _OP_WORDS.get(m.group("op")) if m.group("op") else None
    unit = clean_unit(m.group("unit") or "")
    if hi is not None:
        return "range", value, hi, unit
    return op, value, None, unit


_MIGRATION = re.compile(r"migration|可迁移|迁移量", re.I)
_MIGRATION_KEYS = {key: key for key, *_rest in BUILTIN if key.startswith("migration_")}


def extract_table(
    table: dict,
    *,
    context: str = "",
    resolve: Callable[[str], str | None] | None = None,
) -> list[Proposal]:
    """Requirements in a table of indicators.

    Two layouts are read: parameter rows (the first cell names a parameter,
    the other columns are classes/grades or a single limit), and subject rows
    (the caption or clause names the parameter, each row a product category
    with its limit). Units come from the cell, the row label or the column
    header; the operator from the cell, the row label, the header or the
    caption ("限量" = maximum). Footnotes are read as sentences.
    """
    resolve = resolve or builtin_resolve
    head: list[list[str]] = table.get("head") or []
    body: list[list[str]] = table.get("body") or []
    caption = f"{table.get('caption', '')} {context}".strip()
    width = max((len(r) for r in head), default=0)
    # A column's header is every header row's text for it ("限量/(mg/kg)" over
    # "总汞"): units often sit in the upper, spanning row.
    header = [
        " ".join(
            dict.fromkeys(h[j].strip() for h in head if j < len(h) and h[j].strip())
        )
        for j in range(width)
    ]
    table_unit = _unit_in(" ".join(header))
    proposals: list[Proposal] = []
    caption_params = find_parameters(table.get("caption", "")) or find_parameters(
        context
    )
    caption_key = caption_params[0][2] if caption_params else None
    group_label = ""
    # Rows outside the vocabulary are read only where the table says it sets
    # limits; tables of data (failure rates, typical values) are not.
    limits_table = bool(_LIMITS_TABLE.search(f"{caption} {' '.join(header)}"))
    for row in body:
        if not row:
            continue
        label = row[0].strip()
        rest = row[1:]
        if rest and all(c.strip() == label for c in rest):
            group_label = label  # a spanning row heads a group of categories
            continue
        label_clean = re.sub(r"[a-z]$", "", _UNIT_IN_LABEL.sub("", label)).strip(
            " ≤≥<>/"
        )
        row_key = resolve(label_clean) or next(
            (k for _s, _e, k, _n in find_parameters(label)), None
        )
        label_unit = _unit_in(label)
        label_op = _op_in(label)
        if (
            row_key
            and _MIGRATION.search(caption)
            and not row_key.startswith("migration_")
        ):
            row_key = _MIGRATION_KEYS.get(f"migration_{row_key}", row_key)
        if row_key:
            # Parameter rows: one requirement per class/limit column.
            for j, cell in enumerate(rest, start=1):
                col_head = header[j] if j < len(header) else ""
                if j > 1 and cell == rest[j - 2] and "colspan" not in table:
                    pass
                read = _read_cell(cell)
                if read is None:
                    if re.fullmatch(
                        r"\s*(无|不得检出|不应检出|禁用|阴性|none|not detected|negative|forbidden)\s*",
                        cell,
                        re.I,
                    ):
                        conds = detect_conditions(col_head)
                        proposals.append(
                            Proposal(
                                row_key,
                                "bool",
                                Decimal(0),
                                kind="shall",
                                conditions=conds,
                                source_text=" | ".join(row),
                                origin="table",
                                parameter_text=label,
                            )
                        )
                    else:
                        # A worded cell: "不小于6.5且不大于8.5".
                        for p in extract_sentence(
                            f"{label_clean} {cell}",
                            default_kind="shall",
                            resolve=resolve,
                        ):
                            p.origin = "table"
                            p.conditions = detect_conditions(col_head) or p.conditions
                            p.unit = p.unit or label_unit or _unit_in(col_head)
                            proposals.append(p)
                    continue
                op, value, upper, unit = read
                unit = unit or label_unit or _unit_in(col_head)
                op = op or label_op or _op_in(col_head) or _op_in(caption) or "<="
                conds = detect_conditions(col_head)
                proposals.append(
                    Proposal(
                        row_key,
                        op,
                        value,
                        upper,
                        unit,
                        kind="shall",
                        conditions=conds,
                        source_text=" | ".join(row),
                        origin="table",
                        parameter_text=label,
                    )
                )
        elif not caption_key and limits_table:
            # A parameter row whose parameter is not in the vocabulary
            # (ISO 17301-1 Table 1: "Chalky kernels"): the row label is
            # proposed as a new parameter, one limit per product column.
            proposals.extend(
                _new_parameter_row(row, header, caption, label_unit, label_op)
            )
        elif caption_key:
            # Subject rows: the row is a product category, the column a limit.
            for j, cell in enumerate(rest, start=1):
                read = _read_cell(cell)
                if read is None:
                    continue
                col_head = header[j] if j < len(header) else ""
                op, value, upper, unit = read
                col_key = next((k for _s, _e, k, _n in find_parameters(col_head)), None)
                key = col_key if col_key and len(rest) > 1 else caption_key
                unit = unit or _unit_in(col_head) or _unit_in(caption) or table_unit
                op = op or _op_in(col_head) or _op_in(caption) or "<="
                subject = re.sub(r"[a-z]$", "", label).strip()
                proposals.append(
                    Proposal(
                        key,
                        op,
                        value,
                        upper,
                        unit,
                        kind="shall",
                        subject=subject,
                        source_text=" | ".join(row),
                        origin="table",
                        parameter_text=col_head or caption,
                        conditions={"category": group_label} if group_label else {},
                    )
                )
    for note in table.get("foot") or []:
        proposals.extend(
            p for p in extract_sentence(note, context=caption, resolve=resolve)
        )
    return _dedupe(proposals)


_QUALIFIER_IN_LABEL = re.compile(r"[（(]以[^（）()]{1,12}计[）)]")
_LIMITS_TABLE = re.compile(
    r"maxim|minim|permissible|permitted|\blimits?\b|限量|限值|指标|要求|最大|最小|[≤≥]"
    r"|\bmax\b|\bmin\b",
    re.I,
)


def _new_parameter_row(
    row: list[str],
    header: list[str],
    caption: str,
    label_unit: str,
    label_op: str | None,
) -> list[Proposal]:
    label = row[0].strip()
    name = _QUALIFIER_IN_LABEL.sub("", _UNIT_IN_LABEL.sub("", label))
    name = re.sub(r"\s+[a-z]\)?$", "", name).strip(" ≤≥<>/:：")
    if (
        not re.search(r"[A-Za-z]{2}|[\u4e00-\u9fff]", name)
        or len(name) > 80
        or to_number(name) is not None
    ):
        return []
    columns = [j for j in range(1, len(row)) if _read_cell(row[j]) is not None]
    proposals = []
    for j in columns:
        op, value, upper, unit = _read_cell(row[j])
        col_head = header[j] if j < len(header) else ""
        conds = detect_conditions(col_head)
        # Several product columns: each limit belongs to its column's product.
        subject = ""
        if not conds and len(row) > 2:
            subject = _column_subject(header, j)
        proposals.append(
            Proposal(
                name,
                op or label_op or _op_in(col_head) or _op_in(caption) or "<=",
                value,
                upper,
                unit or label_unit or _unit_in(col_head) or _unit_in(caption),
                kind="shall",
                conditions=conds,
                subject=subject[:200],
                source_text=" | ".join(row),
                origin="table",
                parameter_text=label,
                new_parameter=True,
            )
        )
    return proposals


def _column_subject(header: list[str], j: int) -> str:
    """The product a limit column is for: the part of its header that the
    other limit columns do not share ("Maximum … defects % Husked rice")."""
    words = header[j].split()
    others = [h.split() for k, h in enumerate(header) if k and k != j]
    prefix = 0
    if others:
        while prefix < len(words) and all(
            prefix < len(o) and o[prefix] == words[prefix] for o in others
        ):
            prefix += 1
    return re.sub(r"^(in|for|of)\s+", "", " ".join(words[prefix:]), flags=re.I)


def extract_clause(
    text: str, tables: Iterable[dict], *, title: str = ""
) -> list[Proposal]:
    """Every proposal in one clause: its sentences, then its tables."""
    proposals: list[Proposal] = []
    for paragraph in text.split("\n"):
        proposals.extend(extract_sentence(paragraph, context=title))
    for table in tables:
        proposals.extend(extract_table(table, context=title))
    return _dedupe(proposals)


_METHOD = re.compile(
    r"(?:按|依据|采用|见|per|according to|in accordance with|as specified in)\s*"
    r"(?P<ident>(?:GB|GB/T|ISO|IEC|EN|ASTM|SN/T|QB/T|FZ/T|HJ)\s*[\d.]+(?:[-:]\d{4})?)"
    r"[^。；;.]{0,20}?(?:测定|检验|检测|试验|determined|tested|measured|method)",
    re.I,
)
_METHOD_AFTER = re.compile(
    r"(?:检验方法|试验方法|测定方法|test method)[^。；;]{0,8}?"
    r"(?P<ident>(?:GB|GB/T|ISO|IEC|EN|ASTM|SN/T|QB/T|FZ/T|HJ)\s*[\d.]+(?:[-:]\d{4})?)",
    re.I,
)


_METHOD_EN = re.compile(
    r"(?:determined|tested|measured|verified)[^.;]{0,40}?"
    r"(?:in accordance with|according to|as specified in|per|using)\s*"
    r"(?P<ident>(?:ISO|IEC|EN|ASTM|GB|GB/T)\s*[\d.]+(?:-\d+)?(?:[-:]\d{4})?)",
    re.I,
)


def test_method_in(text: str) -> str:
    """The standard a clause names as its test method ("按GB 5009.12规定的
    方法测定", "determined in accordance with ISO 3746"), or ""."""
    m = _METHOD.search(text) or _METHOD_AFTER.search(text) or _METHOD_EN.search(text)
    return re.sub(r"\s+", " ", m.group("ident")).strip().rstrip(".") if m else ""
