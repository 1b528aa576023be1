"""Standard identifiers found in free text: a line of a quality manual's list,
a spreadsheet row, a paragraph of a Word document.

A line is folded once (full-width characters, dashes, spaces: the identifier
grammar's own ``normalise``); every place a word starts is a possible start,
and the longest stretch from there that the identifier grammar
(:mod:`qihub.catalog.identifiers`) accepts is the identifier. A title beside
it (``GB/T 19001-2016 质量管理体系 要求``) ends the stretch; a qualifier in
brackets (``GB 50016-2014(2018年版)``) and an adopted identifier
(``GB/T 19001-2016/ISO 9001:2015``) are part of it. A line may hold several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qihub.catalog.identifiers import IdentifierError, StandardIdentifier, parse
from qihub.catalog.identifiers.model import fold

#: The longest identifier the catalogue holds is under 80 characters.
MAX_SPAN = 100
#: A word that may start an identifier: a letter not inside another word.
_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]")
#: An identifier's number comes soon after its prefix (ISO/IEC/IEEE 8802-3).
_DIGIT_SOON = re.compile(r"[A-Za-z/ .]{0,18}[0-9]")
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
#: Characters inside an identifier: a stretch never ends before one of them
#: (it may end before a space, a bracket, any other punctuation).
_INSIDE = frozenset("/-:.+")


@dataclass(frozen=True)
class Found:
    """One identifier found in a line: as written there and as parsed."""

    text: str
    identifier: StandardIdentifier


@dataclass(frozen=True)
class LineFinding:
    identifiers: tuple[Found, ...]
    #: Why nothing was found in a line that looked like it named a standard
    #: (the identifier parser's reason for its best candidate), else "".
    reason: str = ""


#: The text before the number of a candidate the grammar refused for its
#: prefix (``Part ``, ``Table ``, ``management Part ``): refused again at
#: once (English titles repeat such words on every line).
_BAD_HEADS: dict[str, None] = {}
_MAX_BAD_HEADS = 10_000
_HEAD = re.compile(r"[^0-9]*")
_HAS_DIGIT = re.compile(r"[0-9]")
_OPEN = re.compile(r"[(\[]")


def _window(text: str, start: int) -> str:
    """From ``start`` up to a Chinese character outside brackets (a title)."""
    end = min(len(text), start + MAX_SPAN)
    cjk = _CJK.search(text, start, end)
    if cjk is None:
        return text[start:end]
    if not _OPEN.search(text, start, cjk.start()):
        return text[start : cjk.start()]
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and _CJK.match(ch):
            return text[start:i]
    return text[start:end]


def _ends(window: str) -> list[int]:
    """Candidate ends, longest first: the window's end and every place
    before a space or punctuation no identifier holds, after a digit, a
    letter or a closing bracket."""
    ends = []
    n = len(window)
    for i in range(n, 0, -1):
        if i < n and (window[i].isalnum() or window[i] in _INSIDE):
            continue
        if window[i - 1].isalnum() or window[i - 1] in ")]":
            ends.append(i)
    return ends


def _try(candidate: str) -> tuple[StandardIdentifier | None, str]:
    head = _HEAD.match(candidate).group()
    if head in _BAD_HEADS:
        return None, ""
    try:
        return parse(candidate), ""
    except IdentifierError as exc:
        if candidate[0].islower():
            try:
                return parse(candidate.upper()), ""
            except IdentifierError:
                pass
        if exc.part == "prefix":
            if len(_BAD_HEADS) >= _MAX_BAD_HEADS:
                _BAD_HEADS.clear()
            _BAD_HEADS[head] = None
        return None, exc.message


def find_identifiers(line: str) -> LineFinding:
    """Every identifier in ``line``, in order, each once. When there is
    none, ``reason`` is the grammar's reason for the first candidate (the
    text most like an identifier), so a mistyped one is explained."""
    text = fold(line)
    found: list[Found] = []
    reason = ""
    pos = 0
    while True:
        m = _START.search(text, pos)
        if m is None:
            break
        start = m.start()
        if not _DIGIT_SOON.match(text, start):
            pos = start + 1
            continue
        window = _window(text, start)
        hit = None
        first_reason = ""
        for end in _ends(window):
            candidate = window[:end].rstrip()
            if not _HAS_DIGIT.search(candidate):
                break
            ident, why = _try(candidate)
            if ident is not None:
                hit = Found(text=candidate, identifier=ident)
                break
            first_reason = first_reason or why
        if hit is None:
            reason = reason or first_reason
            pos = start + 1
            continue
        if all(f.identifier.key != hit.identifier.key for f in found):
            found.append(hit)
        pos = start + len(hit.text)
    return LineFinding(identifiers=tuple(found), reason="" if found else reason)
