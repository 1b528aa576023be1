"""International identifiers: ISO, IEC, their joint and co-published
deliverables, IWA and ITU recommendations.

Grammar (on normalised text)::

    international:= publisher [stage] [doc-type] number-parts ["." iteration]
                     [":" (year ["-" month ["-" day]] | "—")] supplement*
                     [" Edition " edition] [" (all parts)"]
    publisher    := ISO | IEC | ISO/IEC | ISO/IEC/IEEE | IEC/IEEE | IWA | ITU-T | ITU-R
                  | "ISO/" co-publisher                 ISO/ASTM, ISO/IEEE, ISO/CIE,
                                                        ISO/HL7, ISO/SAE, ISO/ASME ...
    stage        := DIS | FDIS | CD | WD | NP | AWI | PWI | PRF | DTS | DTR | DPAS
    doc-type     := TR | TS | PAS | IS | Guide | ISP | R | DATA | TTA
                     ("ISO/DIS", "ISO/CD TS", "ISO/IEC CD TR", "ISO/R", "ISO/IEC ISP")
    number-parts := digits ("-" part)*                  60335-2-9, 105-E01, 8802-1AB
    part         := digits [letters] | letters [digits]
    supplement   := ("/" | "+") [stage " "] kind [" "] [digits ["." iteration]] [":" year]
    kind         := Amd | Cor | Add | Suppl | Ext | DAM | FDAM | DAmd | FDAmd | DCOR
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from qihub.catalog.identifiers.model import (
    LEVEL_INTERNATIONAL,
    NATURE_VOLUNTARY,
    IdentifierError,
    StandardIdentifier,
    Supplement,
)

#: Organisations ISO publishes jointly with (ISO/IEEE 11073-10101, ISO/CIE 11664-1).
CO_PUBLISHERS = ("ASTM", "IEEE", "CIE", "HL7", "SAE", "ASME", "OECD", "UNDP")
PUBLISHERS = tuple(
    sorted(
        (
            "ISO/IEC/IEEE",
            "ISO/IEC",
            "IEC/IEEE",
            "ISO",
            "IEC",
            "IWA",
            "ITU-T",
            "ITU-R",
            *(f"ISO/{p}" for p in CO_PUBLISHERS),
        ),
        key=len,
        reverse=True,
    )
)
STAGES = ("FDIS", "DIS", "CD", "WD", "NP", "AWI", "PWI", "PRF", "DTS", "DTR", "DPAS")
DOC_TYPES = ("TR", "TS", "PAS", "IS", "GUIDE", "IWA", "ISP", "R", "DATA", "TTA")
SUPPLEMENTS = {
    "AMD": "Amd",
    "COR": "Cor",
    "ADD": "Add",
    "SUPPL": "Suppl",
    "EXT": "Ext",
    "DAMD": "DAmd",
    "FDAMD": "FDAmd",
    "DAM": "DAM",
    "FDAM": "FDAM",
    "DCOR": "DCOR",
    "FDCOR": "FDCOR",
}

_PUBLISHER = re.compile(
    "(" + "|".join(re.escape(p) for p in PUBLISHERS) + ")(?![A-Z])", re.IGNORECASE
)
_INTL_NUMBER = re.compile(
    r"(\d+(?:-(?:\d+[A-Z]{0,3}|[A-Z]{1,2}\d*)(?![A-Z]))*)(?:\.(\d+))?", re.IGNORECASE
)
_ITU_NUMBER = re.compile(r"([A-Z]{1,2}\.\d+(?:\.\d+)*(?:-\d+)?)", re.IGNORECASE)
_QUALIFIERS = re.compile(r"[/ ]([A-Za-z]+)(?: ([A-Za-z]+))?(?= ?\d)")
_SUPPLEMENT = re.compile(
    r"([/+])(?:(CD|WD|AWI|NP|PWI|DIS|FDIS|PRF) )?"
    r"(FDAMD|DAMD|FDAM|DAM|AMD|FDCOR|DCOR|COR|ADD|SUPPL|EXT)(?![A-Z])"
    r" ?(\d+)?(?:\.(\d+))?(?::(\d{4}))?",
    re.IGNORECASE,
)
_DATE_TAIL = re.compile(r"-(\d{2})(?:-(\d{2}))?(?!\d)")
_EDITION = re.compile(r" ?(?:Edition|Ed\.) ?(\d+(?:\.\d+)?)", re.IGNORECASE)
_ALL_PARTS = re.compile(r" ?\(all parts\)", re.IGNORECASE)


def starts_international(upper: str) -> bool:
    return _PUBLISHER.match(upper) is not None or upper.startswith("ITU")


def parse_international(
    s: str, original: str, year_reader
) -> tuple[StandardIdentifier, str]:
    """Read an international identifier at the start of ``s``; return it and
    the text after it. ``year_reader`` reads a year (shared with the other
    grammars)."""
    m = _PUBLISHER.match(s)
    if m is None:
        raise IdentifierError(
            _("Unknown publisher in %(original)r: expected ISO, IEC, ISO/IEC or ITU-T.")
            % {"original": original},
            text=original,
            part="prefix",
        )
    publisher = m.group(1).upper()
    rest = s[m.end() :]
    if publisher.startswith("ITU"):
        return _parse_itu(publisher, rest, original)
    stage = doc_type = ""
    m = _QUALIFIERS.match(rest)
    if m:
        for word in filter(None, m.groups()):
            upper = word.upper()
            if upper in STAGES and not stage and not doc_type:
                stage = upper
            elif upper in DOC_TYPES and not doc_type:
                doc_type = "Guide" if upper == "GUIDE" else upper
            else:
                raise IdentifierError(
                    _(
                        "%(word)r in %(original)r is not a known deliverable type or "
                        "stage (TR, TS, PAS, Guide, DIS, FDIS, CD ...)."
                    )
                    % {"word": word, "original": original},
                    text=original,
                    part="stage",
                )
        rest = rest[m.end() :]
    rest = rest.lstrip()
    m = _INTL_NUMBER.match(rest)
    if not m:
        found = rest.split(" ")[0] if rest else ""
        raise IdentifierError(
            _(
                "The number %(number)r in %(original)r must be digits with optional "
                "parts, such as 60335-2-9."
            )
            % {"number": found, "original": original}
            if found
            else _("The number is missing after %(publisher)r.")
            % {"publisher": publisher},
            text=original,
            part="number",
        )
    number = m.group(1).upper()
    iteration = int(m.group(2)) if m.group(2) else None
    rest = rest[m.end() :]
    if rest.startswith("-"):
        raise IdentifierError(
            _("The part number after %(number)r in %(original)r is incomplete.")
            % {"number": number + "-", "original": original},
            text=original,
            part="number",
        )
    year = month = day = None
    pending = False
    if rest.startswith(":-") and not rest[2:3].isdigit():
        pending, rest = True, rest[2:]
    elif rest.startswith(":"):
        year, rest = year_reader(rest[1:], original, two_digit_ok=False)
        dm = _DATE_TAIL.match(rest)
        if dm:
            month = int(dm.group(1))
            day = int(dm.group(2)) if dm.group(2) else None
            if not 1 <= month <= 12 or (day is not None and day > 31):
                raise IdentifierError(
                    _("The date %(date)r in %(original)r is not a month and day.")
                    % {"date": f"{year}{dm.group(0)}", "original": original},
                    text=original,
                    part="year",
                )
            day = day or None  # "1998-12-00": no day
            rest = rest[dm.end() :]
    supplements = []
    while sm := _SUPPLEMENT.match(rest):
        supplements.append(
            Supplement(
                kind=SUPPLEMENTS[sm.group(3).upper()],
                number=int(sm.group(4)) if sm.group(4) else None,
                year=int(sm.group(6)) if sm.group(6) else None,
                consolidated=sm.group(1) == "+",
                stage=(sm.group(2) or "").upper(),
                iteration=int(sm.group(5)) if sm.group(5) else None,
            )
        )
        rest = rest[sm.end() :]
    edition = ""
    if em := _EDITION.match(rest):
        edition, rest = em.group(1), rest[em.end() :]
    all_parts = False
    if am := _ALL_PARTS.match(rest):
        all_parts, rest = True, rest[am.end() :]
    return (
        StandardIdentifier(
            prefix=publisher,
            number=number,
            year=year,
            level=LEVEL_INTERNATIONAL,
            nature=NATURE_VOLUNTARY,
            international=True,
            stage=stage,
            doc_type=doc_type,
            supplements=tuple(supplements),
            iteration=iteration,
            month=month,
            day=day,
            year_pending=pending,
            all_parts=all_parts,
            edition=edition,
        ),
        rest,
    )


def _parse_itu(
    publisher: str, rest: str, original: str
) -> tuple[StandardIdentifier, str]:
    rest = re.sub(r"^ ?(REC\.? ?)", " ", rest, flags=re.IGNORECASE).lstrip()
    m = _ITU_NUMBER.match(rest)
    if not m:
        raise IdentifierError(
            _("The ITU recommendation number in %(original)r must look like X.509.")
            % {"original": original},
            text=original,
            part="number",
        )
    number = m.group(1).upper()
    rest = rest[m.end() :]
    year = None
    # "(10/2019)" as ITU writes it, or ":2019" as the canonical form does
    # (the export writes canonical identifiers; they must parse back).
    ym = re.match(r" ?\((?:\d{2}/)?(\d{4})\)|:(\d{4})(?!\d)", rest)
    if ym:
        year = int(ym.group(1) or ym.group(2))
        rest = rest[ym.end() :]
    return (
        StandardIdentifier(
            prefix=publisher,
            number=number,
            year=year,
            level=LEVEL_INTERNATIONAL,
            nature=NATURE_VOLUNTARY,
            international=True,
        ),
        rest,
    )
