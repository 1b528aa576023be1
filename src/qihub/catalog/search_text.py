"""The search document of a standard and the tokens of a query.

A standard's search document (``Standard.search_text``) is a space separated
list of lower-case tokens: jieba's search-mode segmentation of the Chinese
title, the English words, the identifier's letter and digit runs, and the
facet words (level, year, ICS codes) that make a filtered text search one
index match. Queries are segmented the same way (``query_tokens``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from qihub.catalog import identifiers

#: CJK ideographs: Extension A, the unified block and the assigned
#: compatibility ideographs (U+FA6E-FA6F and U+FADA-FAFF are unassigned, and
#: an unassigned code point is no word).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9"
_WORD = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_FRAGMENT_SPLIT = re.compile(f"[^{_CJK}0-9A-Za-z]+")
HAS_CJK = re.compile(f"[{_CJK}]")
#: A query with a digit or a slash that found identifiers needs no full-text band.
IDENTIFIER_HINT = re.compile(r"[0-9/]")


def segmenter():
    """jieba, its dictionary loaded (once a process: about half a second,
    so an import loads it before forking its checkers)."""
    import jieba

    if not jieba.dt.initialized:
        import logging

        jieba.setLogLevel(logging.ERROR)
        jieba.initialize()
    return jieba


@lru_cache(maxsize=200_000)
def _segment_for_search(fragment: str) -> tuple[str, ...]:
    """Search-mode segmentation of one title fragment (memoised: catalogue
    titles repeat phrases such as 食品安全国家标准 and 第1部分 heavily)."""
    jieba = segmenter()
    return tuple(_words(jieba.cut_for_search(fragment, HMM=False)))


@lru_cache(maxsize=50_000)
def _segment_query(fragment: str) -> tuple[str, ...]:
    jieba = segmenter()
    return tuple(_words(jieba.cut(fragment, HMM=False)))


def _words(pieces: Iterable[str]) -> Iterable[str]:
    for piece in pieces:
        yield from _WORD.findall(piece.lower())


@lru_cache(maxsize=100_000)
def _title_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a title (memoised whole: editions and parts share titles).

    Full-width letters and digits are folded first, as queries are."""
    return tuple(_text_tokens(unicodedata.normalize("NFKC", text)))


def _text_tokens(text: str, *, query: bool = False) -> list[str]:
    """Tokens of free text: Chinese runs through jieba, other words lower-cased."""
    tokens: list[str] = []
    segment = _segment_query if query else _segment_for_search
    for fragment in _FRAGMENT_SPLIT.split(text or ""):
        if not fragment:
            continue
        if HAS_CJK.search(fragment):
            tokens.extend(segment(fragment))
        else:
            tokens.append(fragment.lower())
    return tokens


def _identifier_tokens(identifier: str, prefix: str | None = None) -> list[str]:
    # With a prefix the caller passes a parsed, already normalised identifier.
    norm = identifier if prefix is not None else identifiers.normalise(identifier)
    tokens = _WORD.findall(norm.lower())
    if prefix is None:
        parsed = identifiers.try_parse(identifier)
        prefix = parsed.prefix if parsed is not None else ""
    compact_prefix = _compact_prefix(prefix)
    if compact_prefix:
        tokens.append(compact_prefix)
    return tokens


@lru_cache(maxsize=20_000)
def _compact_prefix(prefix: str) -> str:
    return "".join(_WORD.findall(prefix.lower()))


_ICS_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{3}(?:\.[0-9]{2})?)?")


def ics_token(code: str) -> str:
    """The search-document token of an ICS code (67.040 -> ics67z040): one
    word for both full-text parsers, as the dots would split it."""
    if not _ICS_CODE.fullmatch(code):
        return "icsnone"  # no such code: matches nothing
    return "ics" + code.replace(".", "z")


def facet_tokens(
    *, level: str | None = None, ics: str | None = None, year: int | None = None
) -> list[str]:
    """The filter tokens a full-text query adds for level, ICS and year (the
    document carries them, so a filtered match is one index intersection
    instead of a check of every text match)."""
    tokens = []
    if level:
        # Only a word can be a token: "lvlgb-x" would be a phrase in FTS5.
        word = str(level).lower()
        tokens.append(f"lvl{word}" if _TOKEN.fullmatch(word) else "lvlnone")
    code = (ics or "").strip().rstrip(".")
    if code:
        tokens.append(ics_token(code))
    if year:
        # A negative year ("yr-1") would be a phrase; no standard has one.
        tokens.append(f"yr{int(year)}" if int(year) > 0 else "yrnone")
    return tokens


#: What one search token may hold: the index's word characters (FTS5
#: unicode61 with tokenchars '_'; PostgreSQL's lexemes as stored).
_TOKEN = re.compile(r"\w+")


def safe_tokens(tokens: Iterable[str]) -> list[str]:
    """The tokens as words the index can match one by one: a token holding
    any other character is split into its words (a quoted FTS5 string of two
    words is a phrase, which the index without positions refuses)."""
    out: list[str] = []
    for token in tokens:
        if _TOKEN.fullmatch(token):
            out.append(token)
        else:
            out.extend(_TOKEN.findall(token) or ["qhnone"])
    return out


def search_text_for(
    *,
    identifier: str,
    title_zh: str,
    title_en: str,
    extra: str = "",
    prefix: str | None = None,
    ics: Iterable[str] = (),
    level: str = "",
    year: int | None = None,
) -> str:
    """The search document stored in ``Standard.search_text``.

    ``prefix`` (the parsed identifier's prefix) saves parsing the identifier
    again when the caller has it. The level, year and every ICS code with its
    parents are added as filter tokens (``facet_tokens``); the ICS codes are
    kept in step by a signal when a standard's codes change.
    """
    tokens = _identifier_tokens(identifier, prefix)
    for text in (title_zh, title_en, extra):
        if text:
            tokens.extend(_title_tokens(text))
    if ics:  # one document whatever order the codes came in
        tokens.extend(_ics_tokens(tuple(sorted(ics))))
    tokens.extend(facet_tokens(level=level, year=year))
    return " ".join(dict.fromkeys(tokens))  # each token once, in order


@lru_cache(maxsize=20_000)
def _ics_tokens(codes: tuple[str, ...]) -> list[str]:
    """The tokens of ICS codes with their parents (memoised: a catalogue
    uses a few thousand combinations; callers copy, never change, them)."""
    tokens = []
    for code in codes:
        parts = code.split(".")
        for n in range(1, len(parts) + 1):
            tokens.append(ics_token(".".join(parts[:n])))
    return tokens


def query_tokens(q: str) -> list[str]:
    """The tokens a query must all match (deduplicated, in order)."""
    norm = identifiers.normalise(q)
    return list(dict.fromkeys(_text_tokens(norm, query=True)))


def status_token(status: str) -> str:
    """PostgreSQL: the word the generated ``search_tsv`` adds for the status
    (migration 0005: in_force -> stinforce; the parser splits on '_')."""
    if not STATUS_WORD.fullmatch(status):
        return "stnone"  # no such status: matches nothing
    return "st" + status.replace("_", "")


STATUS_WORD = re.compile("[a-z_]{1,30}")
