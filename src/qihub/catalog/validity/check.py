"""The validity check (标准查新 / 有效性确认): is every standard on a list
still valid, and what replaced it.

Each line of the list is searched for identifiers (:mod:`.finding`); each
identifier is looked up in the catalogue in bulk (one query per 500 keys,
however long the list), then the chain of replacements is followed from the
cited edition to the one in force (one query per step of the longest chain),
and the adoptions of the editions found are read in one query. A dated
identifier names its edition; an undated one the latest edition. Lines keep
their order; a line with nothing found is reported with the reason and never
stops the others.

Verdicts (the summary counts them): *valid* (in force or published),
*replaced*, *withdrawn*, *to be implemented* (issued, before its
implementation date) and *unknown* (not in the catalogue, referenced only,
or a draft).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard, StandardRelation, standard_url
from qihub.catalog.validity.finding import find_identifiers
from qihub.core.collection import gc_paused

#: The most lines one check reads (the API, the page, the command).
MAX_LINES = 5_000
#: A line longer than this is cut (a paragraph pasted as one line).
MAX_LINE_CHARS = 2_000
#: Catalogue searches for the closest matches of unknown identifiers, per check.
MAX_SEARCHES = 100
MAX_SUGGESTIONS = 3
#: Keys per query (SQLite's default limit of variables is far higher).
_CHUNK = 2000
_CHAIN_STEPS = 30
#: Pause the cyclic garbage collector during a check (``check_lines``).
PAUSE_GC = True

VALID = "valid"
REPLACED = "replaced"
WITHDRAWN = "withdrawn"
TO_BE_IMPLEMENTED = "to_be_implemented"
UNKNOWN = "unknown"
VERDICTS = (VALID, REPLACED, WITHDRAWN, TO_BE_IMPLEMENTED, UNKNOWN)

_FIELDS = (
    "id",
    "identifier",
    "ident_key",
    "base_key",
    "year",
    "level",
    "status",
    "title_zh",
    "title_en",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
)
_REPLACING = (
    StandardRelation.Kind.REPLACES,
    StandardRelation.Kind.PARTIALLY_REPLACES,
)


def verdict_labels() -> dict[str, str]:
    return {
        VALID: _("valid"),
        REPLACED: _("replaced"),
        WITHDRAWN: _("withdrawn"),
        TO_BE_IMPLEMENTED: _("to be implemented"),
        UNKNOWN: _("unknown"),
    }


def _verdict(status: str | None) -> str:
    if status in (Standard.Status.IN_FORCE, Standard.Status.PUBLISHED):
        return VALID
    if status in (REPLACED, WITHDRAWN, TO_BE_IMPLEMENTED):
        return status
    return UNKNOWN


@dataclass
class CheckResult:
    """A check's answer: one entry per line (``lines``), in the list's order,
    and the count of each verdict (``summary``). JSON as it stands."""

    on: datetime.date
    today: datetime.date
    lines: list[dict] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    #: The catalogue records it named (cited, current and in between), for
    #: re-running it when one of them changes.
    standard_ids: set[int] = field(default_factory=set)

    def as_json(self) -> dict:
        return {
            "on": self.on.isoformat(),
            "today": self.today.isoformat(),
            "summary": self.summary,
            "lines": self.lines,
        }


def _brief(s: Standard) -> dict:
    return {
        "id": s.pk,
        "identifier": s.identifier,
        "title": s.title,
        "status": s.status,
        "url": standard_url(s.pk),
    }


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class _Row:
    """The fields of a standard the check reads, without a model instance
    (building 10,000 ``Standard`` instances, with their init signals, cost
    a third of a 5,000-line check). ``status_on`` and ``title`` are the
    model's own."""

    __slots__ = _FIELDS
    Status = Standard.Status
    Level = Standard.Level
    status_on = Standard.status_on
    title = Standard.title

    def __init__(self, values: tuple) -> None:
        for name, value in zip(_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def _load(**lookup) -> list[_Row]:
    ((name, values),) = lookup.items()
    rows: list[_Row] = []
    for chunk in _chunks(sorted(values)):
        rows.extend(
            map(
                _Row,
                Standard.objects.filter(**{name: chunk})
                .order_by()
                .values_list(*_FIELDS),
            )
        )
    return rows


def _latest(editions: list[Standard]) -> Standard | None:
    issued = [e for e in editions if e.status != Standard.Status.DRAFT]
    if not issued:
        return None
    return max(
        issued, key=lambda e: (e.year or 0, e.issued_on or datetime.date.min, e.pk)
    )


def _successors(start: set[int], known: dict[int, Standard]) -> dict[int, Standard]:
    """For each record reachable from ``start`` by "replaced by", the record
    that replaced it (a whole replacement first, then the newest)."""
    best: dict[int, tuple[tuple, int]] = {}
    frontier = {pk for pk in start if known[pk].status != Standard.Status.DRAFT}
    seen: set[int] = set()
    for _step in range(_CHAIN_STEPS):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        found: set[int] = set()
        for chunk in _chunks(sorted(frontier)):
            for target, source, kind in StandardRelation.objects.filter(
                target_id__in=chunk, kind__in=_REPLACING
            ).values_list("target_id", "source_id", "kind"):
                found.add(source)
                best.setdefault(target, ((), 0))
                found_key = (kind == StandardRelation.Kind.REPLACES, source)
                if found_key > best[target][0]:
                    best[target] = (found_key, source)
        missing = found - known.keys()
        for s in _load(id__in=missing):
            known[s.pk] = s
        # Only a record no longer valid is followed further.
        frontier = {
            pk for pk in found if known[pk].status not in Standard.VALID_STATUSES
        }
    return {target: known[source] for target, (_k, source) in best.items()}


def _adoptions(ids: set[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for chunk in _chunks(sorted(ids)):
        for source, identifier, degree in StandardRelation.objects.filter(
            source_id__in=chunk, kind=StandardRelation.Kind.ADOPTS
        ).values_list("source_id", "target__identifier", "degree"):
            out.setdefault(source, []).append(
                {"identifier": identifier, "degree": degree}
            )
    return out


def _suggestions(ident, editions: list[Standard]) -> tuple[list[dict], int]:
    """The closest catalogue records of an identifier not found, and how many
    searches it took: the other editions when there are some, else the
    catalogue search for it, then for its undated form, then its number."""
    if editions:
        ordered = sorted(editions, key=lambda e: (e.year or 0, e.pk), reverse=True)
        return [_brief(e) for e in ordered[:MAX_SUGGESTIONS]], 0
    from qihub.catalog.search import search_standards

    primary = ident.primary
    queries = dict.fromkeys(
        [ident.canonical, primary.undated.canonical, primary.number]
    )
    searches = 0
    for q in queries:
        searches += 1
        page = search_standards(q=q, limit=MAX_SUGGESTIONS)
        if page.rows:
            return [_brief(s) for s in page.results], searches
    return [], searches


def clean_lines(lines: Iterable[str]) -> list[str]:
    """The list's lines without blank ones, each cut at ``MAX_LINE_CHARS``."""
    out = []
    for line in lines:
        text = str(line).replace("\x00", "").strip()
        if text:
            out.append(text[:MAX_LINE_CHARS])
    return out


def check_lines(lines: list[str], *, on: datetime.date | None = None) -> CheckResult:
    """Check every identifier on ``lines`` against the catalogue, today and
    on ``on`` (default: today). The caller bounds the number of lines.

    The cyclic garbage collector is paused meanwhile (``PAUSE_GC``,
    ``core.collection``): the answer is some 100,000 new objects without
    cycles, and the collections they set off walked every object of the
    process again and again (bench/validity.py --compare-gc)."""
    if not PAUSE_GC:
        return _check_lines(lines, on=on)
    with gc_paused():
        return _check_lines(lines, on=on)


def _check_lines(lines: list[str], *, on: datetime.date | None) -> CheckResult:
    today = timezone.localdate()
    on = on or today
    result = CheckResult(on=on, today=today)
    findings = [find_identifiers(line) for line in lines]
    # (hit, dated, key, base key) of every identifier, its keys built once.
    keyed: list[list[tuple]] = []
    dated: set[str] = set()
    bases: set[str] = set()
    for f in findings:
        row = []
        for hit in f.identifiers:
            primary = hit.identifier.primary
            entry = (hit, primary.dated, primary.key, primary.base_key)
            row.append(entry)
            bases.add(entry[3])
            if entry[1]:
                dated.add(entry[2])
        keyed.append(row)
    by_key = {s.ident_key: s for s in _load(ident_key__in=dated)}
    by_base: dict[str, list[Standard]] = {}
    missing_bases = {
        base
        for row in keyed
        for _hit, is_dated, key, base in row
        if not is_dated or key not in by_key
    }
    for s in _load(base_key__in=missing_bases):
        by_base.setdefault(s.base_key, []).append(s)
    known: dict[int, Standard] = {s.pk: s for s in by_key.values()}
    for editions in by_base.values():
        known.update((e.pk, e) for e in editions)
    latest = {base: _latest(editions) for base, editions in by_base.items()}

    def cited(is_dated: bool, key: str, base: str) -> Standard | None:
        return by_key.get(key) if is_dated else latest.get(base)

    cited_ids: set[int] = set()
    for row in keyed:
        for _hit, is_dated, key, base in row:
            s = cited(is_dated, key, base)
            if s is not None:
                cited_ids.add(s.pk)
    successor = _successors(cited_ids, known)
    currents: dict[int, list[Standard]] = {}
    for pk in cited_ids:
        chain = [known[pk]]
        while chain[-1].pk in successor and len(chain) <= _CHAIN_STEPS:
            nxt = successor[chain[-1].pk]
            if any(c.pk == nxt.pk for c in chain):
                break
            chain.append(nxt)
        currents[pk] = chain
    adoptions = _adoptions({c.pk for chain in currents.values() for c in chain})
    summary = dict.fromkeys(VERDICTS, 0)
    searches = 0
    suggested: dict[str, list[dict]] = {}
    answers: dict[int, dict] = {}
    briefs: dict[int, dict] = {}
    for number, (line, f, row) in enumerate(
        zip(lines, findings, keyed, strict=True), start=1
    ):
        items = []
        for hit, is_dated, key, base in row:
            ident = hit.identifier
            s = cited(is_dated, key, base)
            item: dict = {
                "cited": ident.canonical,
                "written": hit.text,
                "found": s is not None and not _referenced_only(s),
                "adopted_cited": ident.adopted.canonical if ident.adopted else "",
            }
            if s is None:
                item.update(verdict=UNKNOWN, status=None, status_on=None)
                item["standard"] = None
                item["current"] = None
                item["chain"] = []
                item["implemented_on"] = None
                item["adopts"] = []
                editions = by_base.get(base, [])
                item["suggestions"] = suggested.get(ident.canonical, [])
                if ident.canonical not in suggested and (
                    editions or searches < MAX_SEARCHES
                ):
                    item["suggestions"], spent = _suggestions(ident, editions)
                    suggested[ident.canonical] = item["suggestions"]
                    searches += spent
            else:
                answer = answers.get(s.pk)
                if answer is None:
                    answer = answers[s.pk] = _answer(
                        s, currents[s.pk], adoptions, on, briefs
                    )
                    result.standard_ids.update(c.pk for c in currents[s.pk])
                item.update(answer)
            summary[item["verdict"]] += 1
            items.append(item)
        entry = {"line": number, "text": line, "items": items, "error": ""}
        if not items:
            entry["error"] = (
                _("No standard identifier found in this line: %(reason)s")
                % {"reason": f.reason}
                if f.reason
                else _("No standard identifier found in this line.")
            )
        result.lines.append(entry)
    result.summary = summary
    return result


def _answer(
    s: Standard,
    chain: list[Standard],
    adoptions: dict[int, list[dict]],
    on: datetime.date,
    briefs: dict[int, dict],
) -> dict:
    """What the check says of a catalogue record (the same for every line
    that cites it)."""
    current = chain[-1]
    for c in (s, current):
        if c.pk not in briefs:
            briefs[c.pk] = _brief(c)
    return {
        "verdict": _verdict(s.status),
        "status": s.status,
        "status_on": s.status_on(on),
        "standard": briefs[s.pk],
        "current": {
            **briefs[current.pk],
            "status_on": current.status_on(on),
            "implemented_on": _iso(current.implemented_on),
        },
        "chain": [c.identifier for c in chain],
        "implemented_on": _iso(current.implemented_on),
        "adopts": adoptions.get(current.pk, []) or adoptions.get(s.pk, []),
        "suggestions": [],
    }


def _referenced_only(s: Standard) -> bool:
    return s.status == Standard.Status.UNKNOWN


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def check_list(lines: list[str], *, on: datetime.date | None = None) -> CheckResult:
    """``check_lines`` for a list from a user: refused with a clear message
    when there is nothing to check or when not one line names a standard
    (a Word document with no identifiers, the wrong file)."""
    from qihub.catalog.validity.reading import bounded
    from qihub.core.errors import ApplicationError

    lines = bounded(lines)
    if not lines:
        raise ApplicationError(
            _("The list is empty: paste the standards or upload a file."),
            details={"field": "lines"},
        )
    result = check_lines(lines, on=on)
    if not any(line["items"] for line in result.lines):
        raise ApplicationError(
            _(
                "No standard identifier was found in the %(n)d lines read. "
                "Identifiers look like GB/T 19001-2016 or ISO 9001:2015."
            )
            % {"n": len(lines)},
            details={"field": "lines", "lines": result.lines[:20]},
        )
    return result


def with_labels(result: dict) -> dict:
    """The result with the words a page shows beside each code (verdicts and
    statuses in the user's language), for templates; not stored."""
    verdicts = verdict_labels()
    statuses = dict(Standard.Status.choices)
    lines = []
    for line in result.get("lines", []):
        items = []
        for item in line["items"]:
            current = item.get("current")
            items.append(
                {
                    **item,
                    "verdict_label": verdicts.get(item["verdict"], item["verdict"]),
                    "status_label": statuses.get(item.get("status"), ""),
                    "status_on_label": statuses.get(item.get("status_on"), ""),
                    "current_status_label": (
                        statuses.get(current["status"], "") if current else ""
                    ),
                }
            )
        lines.append({**line, "items": items})
    summary = [
        (code, verdicts[code], result.get("summary", {}).get(code, 0))
        for code in VERDICTS
    ]
    return {**result, "lines": lines, "summary_rows": summary}
