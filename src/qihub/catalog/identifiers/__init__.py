"""Standard identifiers: parse, validate and normalise.

Every spelling is first normalised (full-width characters, dashes and spaces
folded), then read by one of three grammars, each in its own module:

- :mod:`.chinese`: GB, GB/T, GBZ, industry (JB/T, JGJ, JTG B01), local (DB51/T,
  DG/TJ08), group (T/CAS), enterprise (Q/HBJ), metrology (JJG, JJF);
- :mod:`.international`: ISO, IEC, their joint and co-published deliverables
  at every stage, with supplements (ISO/CD TS 1234, ISO 1234:2020/DAM 1);
- :mod:`.foreign`: other countries' and regions' standards (EN, DIN EN ISO,
  BS, NF, JIS, ANSI, ASTM) and OIML's.

A Chinese identifier may carry the international one it adopts after "/"
(``GB/T 19001-2016/ISO 9001:2015``); written the other way round
(``ISO 9001:2015 / GB/T 19001-2016``) it means the same. An identifier without
a year (``GB/T 1.1``) refers to the latest edition.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from django.utils.translation import gettext as _

from qihub.catalog.identifiers.chinese import (
    INDUSTRY_CODES,
    PROVINCE_CODES,
    parse_chinese,
    read_year,
)
from qihub.catalog.identifiers.foreign import (
    FOREIGN_BODIES,
    parse_foreign,
    starts_foreign,
)
from qihub.catalog.identifiers.international import (
    DOC_TYPES,
    PUBLISHERS,
    STAGES,
    SUPPLEMENTS,
    parse_international,
    starts_international,
)
from qihub.catalog.identifiers.model import (
    FOREIGN_LEVELS,
    LEVEL_ENTERPRISE,
    LEVEL_FOREIGN_NATIONAL,
    LEVEL_FOREIGN_REGIONAL,
    LEVEL_GROUP,
    LEVEL_INDUSTRY,
    LEVEL_INTERNATIONAL,
    LEVEL_LOCAL,
    LEVEL_NATIONAL,
    NATURE_GUIDANCE,
    NATURE_MANDATORY,
    NATURE_RECOMMENDED,
    NATURE_VOLUNTARY,
    IdentifierError,
    StandardIdentifier,
    Supplement,
    compact_key,
    fold,
    normalise,
)

__all__ = [
    "DOC_TYPES",
    "FOREIGN_BODIES",
    "FOREIGN_LEVELS",
    "INDUSTRY_CODES",
    "LEVEL_ENTERPRISE",
    "LEVEL_FOREIGN_NATIONAL",
    "LEVEL_FOREIGN_REGIONAL",
    "LEVEL_GROUP",
    "LEVEL_INDUSTRY",
    "LEVEL_INTERNATIONAL",
    "LEVEL_LOCAL",
    "LEVEL_NATIONAL",
    "NATURE_GUIDANCE",
    "NATURE_MANDATORY",
    "NATURE_RECOMMENDED",
    "NATURE_VOLUNTARY",
    "PROVINCE_CODES",
    "PUBLISHERS",
    "STAGES",
    "SUPPLEMENTS",
    "IdentifierError",
    "StandardIdentifier",
    "Supplement",
    "compact_key",
    "fold",
    "normalise",
    "parse",
    "try_parse",
]


#: How far the issue date's year may lie from the year in the identifier:
#: a standard approved late in year Y is often issued early in Y+1, and an
#: international one may carry its approval year; more is a mistake (issue
#: 23: GB/T 91005-2026 issued 1800-01-01 was accepted).
ISSUE_YEAR_SLACK = 1


def publication_year(ident: StandardIdentifier | None) -> int | None:
    """The year the identified document was published: its last
    supplement's (ISO 9001:2015/Amd 1:2024 is of 2024), else its own."""
    if ident is None:
        return None
    if ident.adopted is not None:
        ident = ident.primary
    for supplement in reversed(ident.supplements):
        if supplement.year:
            return supplement.year
    return ident.year


def issue_year_fits(ident: StandardIdentifier | None, issued_on) -> bool:
    """Whether an issue date agrees with the identifier's publication year
    (within ``ISSUE_YEAR_SLACK``); undated identifiers and unknown dates
    agree."""
    year = publication_year(ident)
    if not year or issued_on is None:
        return True
    return abs(issued_on.year - year) <= ISSUE_YEAR_SLACK


def parse(text: str) -> StandardIdentifier:
    """Parse an identifier in any customary spelling.

    Raises :class:`IdentifierError` with a message naming the wrong part.
    """
    s = normalise(text)
    return _parse_common(s) or _parse(s, text)


def try_parse(text: str) -> StandardIdentifier | None:
    try:
        return parse(text)
    except IdentifierError:
        return None


#: The common shape of a catalogue identifier once normal: a prefix, one
#: space, a number and a four-digit year (GB/T 19001-2016, ISO 9001:2015).
_COMMON = re.compile(r"([A-Z][A-Z0-9/]*) ([0-9]+(?:[.\-][0-9]+)*)([\-:])([0-9]{4})")


def _parse_common(s: str) -> StandardIdentifier | None:
    """The common shape without the full grammar, or None for any other
    (a catalogue file is mostly such identifiers; the full parse costs about
    five times more). The prefix is read by the full parser once (memoised),
    so both always agree (a hypothesis test checks it)."""
    m = _COMMON.fullmatch(s)
    if m is None:
        return None
    prefix, number, sep, year = m.groups()
    template = _prefix_template(prefix, sep)
    if template is None or ("." if template.international else "-") in number:
        return None
    value = int(year)
    if not 1900 <= value <= 2100:
        return None  # the full parser says why
    # The template's fields with this number and year: one dict copy rather
    # than the frozen dataclass's __init__, which sets each of its seventeen
    # fields through object.__setattr__ (half the cost of a catalogue row's
    # identifier).
    ident = _new(StandardIdentifier)
    _set(ident, "__dict__", {**template.__dict__, "number": number, "year": value})
    return ident


_new = object.__new__
_set = object.__setattr__


@lru_cache(maxsize=65536)
def _prefix_template(prefix: str, sep: str) -> StandardIdentifier | None:
    """The full parse of ``prefix`` before a plain number and year, when it
    is a plain prefix there (no stage, document type or supplement)."""
    try:
        ident = _parse(f"{prefix} 1{sep}2000", prefix)
    except IdentifierError:
        return None
    plain = ident == StandardIdentifier(
        prefix=prefix,
        number="1",
        year=2000,
        level=ident.level,
        nature=ident.nature,
        international=ident.international,
    )
    # Foreign and OIML numbers are not written like this; the full parser reads them.
    return ident if plain and not ident.foreign and prefix != "OIML" else None


def _trailing(rest: str, original: str) -> IdentifierError:
    return IdentifierError(
        _("Unexpected text %(rest)r at the end of %(original)r.")
        % {"rest": rest, "original": original},
        text=original,
        part="trailing",
    )


def _parse(s: str, original: str) -> StandardIdentifier:
    """The full grammar on normalised text ``s`` (``original`` for messages)."""
    if not s:
        raise IdentifierError(
            _("The identifier is empty."), text=original, part="identifier"
        )
    upper = s.upper()
    if starts_international(upper):
        ident, rest = parse_international(s, original, read_year)
        if rest.startswith("/") and not ident.supplements:
            # "ISO 9001:2015 / GB/T 19001-2016": the Chinese adoption, reversed.
            try:
                chinese, tail = parse_chinese(rest[1:], original)
            except IdentifierError:
                raise _trailing(rest, original) from None
            if tail:
                raise _trailing(tail, original)
            return replace(chinese, adopted=ident)
        if rest:
            raise _trailing(rest, original)
        return ident
    if starts_foreign(upper):
        ident, rest = parse_foreign(s, original, read_year)
        if rest:
            raise _trailing(rest, original)
        return ident
    ident, rest = parse_chinese(s, original)
    if rest:
        if rest.startswith("/"):
            adopted_text = rest[1:]
            if not starts_international(adopted_text.upper()):
                raise IdentifierError(
                    _(
                        "The adopted standard %(adopted)r after '/' must be an "
                        "international identifier such as ISO 9001:2015."
                    )
                    % {"adopted": adopted_text},
                    text=original,
                    part="adopted",
                )
            adopted, tail = parse_international(adopted_text, original, read_year)
            if tail:
                raise _trailing(tail, original)
            return replace(ident, adopted=adopted)
        raise IdentifierError(
            _("Unexpected text %(rest)r after the year in %(original)r.")
            % {"rest": rest, "original": original},
            text=original,
            part="trailing",
        )
    return ident
