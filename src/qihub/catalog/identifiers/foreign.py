"""Standards of other countries and regions, and OIML's publications.

Grammar (on normalised text)::

    foreign  := body (" " body)* [" " ("ISO/IEC" | "ISO" | "IEC") [" " doc-type]]
                number [year] supplement*
    body     := EN | DIN | BS | NF | JIS | ANSI ["/" sponsor] | ASTM
    number   := digits ("-" part)*                 EN 60947-1, DIN EN ISO 9001
              | JIS, NF: letter " " digits ...      JIS B 0001, NF C 15-100
              | ASTM: letter digits ["/" letter digits "M"]   D638, A36/A36M
              | ANSI: [letters] digits ("." digits)*          Z535.1
    year     := ":" yyyy ["-" mm]                  DIN 820-2:2012-12
              | ASTM "-" yy [revision]; ANSI "-" yyyy        ASTM D638-14
    oiml     := "OIML " ("R" | "D" | "G" | "B" | "V") [" "] digits ("-" digits)*
                [":" yyyy] ["(" language ")"]      OIML R 135:2004(E)

EN is regional (CEN/CENELEC), the others national: each is its own level
of "foreign", apart from China's own levels, and a national adoption keeps
its full prefix (DIN EN ISO 9001:2015 is DIN's document). OIML, the
intergovernmental metrology organisation whose Recommendations the JJG
regulations adopt, is international.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from qihub.catalog.identifiers.model import (
    LEVEL_FOREIGN_NATIONAL,
    LEVEL_FOREIGN_REGIONAL,
    LEVEL_INTERNATIONAL,
    NATURE_VOLUNTARY,
    IdentifierError,
    StandardIdentifier,
)

FOREIGN_BODIES = ("EN", "DIN", "BS", "NF", "JIS", "ANSI", "ASTM")

_HEAD = re.compile(
    r"((?:(?:EN|DIN|BS|NF|JIS|ASTM|ANSI(?:/[A-Z]+)?) )+"
    r"(?:(?:ISO/IEC|ISO|IEC)(?:/| )(?:(?:TR|TS|PAS) )?)?)",
    re.IGNORECASE,
)
_NUMBER = {
    "JIS": re.compile(r"([A-Z]) ?(\d+(?:-\d+)*)"),
    "NF": re.compile(r"(?:([A-Z]) )?(\d+(?:-\d+)*)"),
    "ASTM": re.compile(r"()([A-Z]\d+(?:/[A-Z]\d+M?)?M?)"),
    "ANSI": re.compile(r"()([A-Z]*\d+(?:\.\d+)*[A-Z]?)"),
}
_PARTS = re.compile(r"()(\d+(?:-(?:\d+[A-Z]{0,3}|[A-Z]{1,2}\d*)(?![A-Z]))*)")
_SHORT_YEAR = re.compile(r"-(\d{4}|\d{2})(?!\d)([a-z]|e\d)?")
_MONTH = re.compile(r"-(\d{2})(?!\d)")
_OIML = re.compile(
    r"OIML ([RDGBV]) ?(\d+(?:-\d+)*)(?::(\d{4}))?(?:\(([EF])\))?", re.IGNORECASE
)


def starts_foreign(upper: str) -> bool:
    return upper.startswith("OIML ") or _HEAD.match(upper) is not None


def parse_foreign(s: str, original: str, year_reader) -> tuple[StandardIdentifier, str]:
    """Read a foreign or OIML identifier at the start of ``s``; return it and
    the text after it."""
    upper = s.upper()
    if upper.startswith("OIML"):
        return _parse_oiml(s, upper, original)
    head = _HEAD.match(upper).group(1)
    bodies = head.split()
    first = bodies[0].split("/")[0]
    prefix = " ".join(bodies) if not head.endswith("/") else head[:-1].strip()
    rest = upper[len(head) :]
    pattern = _NUMBER.get(first, _PARTS)
    m = pattern.match(rest)
    if not m:
        raise IdentifierError(
            _("The number after %(prefix)r in %(original)r is missing or malformed.")
            % {"prefix": prefix, "original": original},
            text=original,
            part="number",
        )
    number = f"{m.group(1)} {m.group(2)}" if m.group(1) else m.group(2)
    rest = rest[m.end() :]
    year = month = None
    revision = ""
    if first in ("ASTM", "ANSI"):
        if ym := _SHORT_YEAR.match(rest):
            digits = ym.group(1)
            if first == "ANSI" and len(digits) != 4:
                raise IdentifierError(
                    _("The year %(year)r in %(original)r must be four digits.")
                    % {"year": digits, "original": original},
                    text=original,
                    part="year",
                )
            value = int(digits)
            year = (
                value
                if len(digits) == 4
                else (1900 + value if value >= 50 else 2000 + value)
            )
            revision = ym.group(2) or ""
            rest = rest[ym.end() :]
    elif rest.startswith(":"):
        year, rest = year_reader(rest[1:], original, two_digit_ok=False)
        if mm := _MONTH.match(rest):
            month = int(mm.group(1))
            rest = rest[mm.end() :]
    level = LEVEL_FOREIGN_REGIONAL if first == "EN" else LEVEL_FOREIGN_NATIONAL
    return (
        StandardIdentifier(
            prefix=prefix,
            number=number,
            year=year,
            level=level,
            nature=NATURE_VOLUNTARY,
            international=False,
            month=month if month and 1 <= month <= 12 else None,
            edition=revision,
        ),
        s[len(s) - len(rest) :] if rest else "",
    )


def _parse_oiml(s: str, upper: str, original: str) -> tuple[StandardIdentifier, str]:
    m = _OIML.match(upper)
    if not m:
        raise IdentifierError(
            _(
                "The OIML publication in %(original)r must be R, D, G, B or V with "
                "a number, such as OIML R 111-1:2004."
            )
            % {"original": original},
            text=original,
            part="number",
        )
    year = int(m.group(3)) if m.group(3) else None
    return (
        StandardIdentifier(
            prefix="OIML",
            number=f"{m.group(1)} {m.group(2)}",
            year=year,
            level=LEVEL_INTERNATIONAL,
            nature=NATURE_VOLUNTARY,
            international=True,
        ),
        s[m.end() :],
    )
