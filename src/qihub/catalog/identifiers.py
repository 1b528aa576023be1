"""Standard identifiers: parse, validate and normalise.

Grammar (after normalisation of full-width characters, dashes and spaces)::

    identifier   := chinese ["/" international] | international
    chinese      := cn-prefix " " cn-number ["-" year]
    cn-prefix    := "GB" ["/T" | "/Z"]                      national
                  | "DB" division ("/T" | "/Z" | "/")       local (DB51/T, city DB5101/T,
                                                             mandatory DB11/)
                  | industry ["/T" | "/Z"]                  industry (JB/T, DB/T = seismology)
                  | "T/" group-code                         group (T/CAS)
                  | "Q/" enterprise-code                    enterprise (Q/HBJ)
                  | ("JJG" | "JJF") ["(" province-abbr ")"] metrology regulations
    cn-number    := digits ("." digits)*                    1.1, 20000.1, 2763
    international:= publisher [stage-or-type] number-parts [":" year] supplement*
    publisher    := ISO | IEC | ISO/IEC | ISO/IEC/IEEE | ISO/ASTM | IEC/IEEE | ITU-T | ITU-R
    stage-or-type:= DIS | FDIS | CD | WD | NP | AWI | PWI | PRF | DTS | DTR | DPAS
                  | TR | TS | PAS | IS | Guide | IWA          ("ISO/DIS", "ISO/IEC DIS")
    number-parts := digits ("-" digits)*                    60335-2-9
    supplement   := ("/" | "+") ("Amd" | "Cor" | "DAmd" | "FDAmd") [" "] digits [":" year]

An identifier without a year (``GB/T 1.1``) refers to the latest edition.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

from django.utils.translation import gettext as _

LEVEL_INTERNATIONAL = "international"
LEVEL_NATIONAL = "national"
LEVEL_INDUSTRY = "industry"
LEVEL_LOCAL = "local"
LEVEL_GROUP = "group"
LEVEL_ENTERPRISE = "enterprise"

NATURE_MANDATORY = "mandatory"
NATURE_RECOMMENDED = "recommended"
NATURE_GUIDANCE = "guidance"
NATURE_VOLUNTARY = "voluntary"

#: Industry standard codes (行业标准代号) published by the SAC.
INDUSTRY_CODES = frozenset(
    """AQ BB CB CH CJ CY DA DB DL DZ EJ FZ GA GD GH GM GY HB HG HJ HS HY JB JC JG JR
    JT JY LB LD LS LY MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD
    TY WB WH WJ WM WS WW XB XF YB YC YD YJ YS YY YZ ZY""".split()
)

#: Province-level division codes used in local standards (DB11 Beijing ... DB82 Macao).
PROVINCE_CODES = frozenset(
    """11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54
    61 62 63 64 65 71 81 82""".split()
)

PUBLISHERS = (
    "ISO/IEC/IEEE",
    "ISO/ASTM",
    "ISO/IEC",
    "IEC/IEEE",
    "ISO",
    "IEC",
    "ITU-T",
    "ITU-R",
)
STAGES = ("FDIS", "DIS", "CD", "WD", "NP", "AWI", "PWI", "PRF", "DTS", "DTR", "DPAS")
DOC_TYPES = ("TR", "TS", "PAS", "IS", "GUIDE", "IWA")
SUPPLEMENTS = {"AMD": "Amd", "COR": "Cor", "DAMD": "DAmd", "FDAMD": "FDAmd"}

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")


class IdentifierError(ValueError):
    """The text is not a standard identifier; the message says which part is wrong."""

    def __init__(self, message: str, *, text: str = "", part: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.part = part


@dataclass(frozen=True)
class Supplement:
    """An amendment or corrigendum to an international standard."""

    kind: str  # Amd, Cor, DAmd, FDAmd
    number: int | None
    year: int | None
    consolidated: bool = False  # "+AMD1" (IEC consolidated edition) rather than "/AMD1"

    def render(self, publisher: str) -> str:
        sep = "+" if self.consolidated else "/"
        if publisher.startswith("IEC"):
            text = f"{self.kind.upper()}{self.number or ''}"
        else:
            text = self.kind + (f" {self.number}" if self.number is not None else "")
        if self.year:
            text += f":{self.year}"
        return sep + text


@dataclass(frozen=True)
class StandardIdentifier:
    """A parsed identifier. ``canonical`` is the display form, ``key`` the
    compact form used for exact lookup, ``base_key`` the undated key that all
    editions share."""

    prefix: str
    number: str
    year: int | None
    level: str
    nature: str
    international: bool
    stage: str = ""
    doc_type: str = ""
    supplements: tuple[Supplement, ...] = ()
    adopted: StandardIdentifier | None = field(default=None, compare=True)

    def __str__(self) -> str:
        return self.canonical

    @property
    def canonical(self) -> str:
        text = self._main()
        if self.adopted is not None:
            text += "/" + self.adopted.canonical
        return text

    @property
    def primary(self) -> StandardIdentifier:
        """The identifier without the adopted international one."""
        return self if self.adopted is None else replace(self, adopted=None)

    @property
    def key(self) -> str:
        return _compact(self._main())

    @property
    def base_key(self) -> str:
        if not self.international:  # the common case
            return _compact(f"{self.prefix} {self.number}")
        return _compact(self._main(dated=False))

    @property
    def dated(self) -> bool:
        return self.year is not None

    @property
    def undated(self) -> StandardIdentifier:
        return replace(self, year=None, adopted=None)

    def _main(self, *, dated: bool = True) -> str:
        """The identifier without the adopted one (``dated``: with its year)."""
        year = self.year if dated else None
        if not self.international:
            text = f"{self.prefix} {self.number}"
            if year:
                text += f"-{year}"
            return text
        head = self.prefix
        qualifier = self.stage or self.doc_type
        if qualifier:
            if (
                qualifier == "Guide"
                or "/" in self.prefix
                or not self.prefix.startswith("ISO")
            ):
                head += f" {qualifier}"
            else:
                head += f"/{qualifier}"
        text = f"{head} {self.number}"
        if year:
            text += f":{year}"
        for sup in self.supplements:
            text += sup.render(self.prefix)
        return text


def _compact(text: str) -> str:
    return text.replace(" ", "").upper()


def compact_key(text: str) -> str:
    """Any spelling of an identifier as its compact key (``Standard.ident_key``
    for a dated identifier, ``base_key`` for an undated one), without parsing."""
    return _compact(normalise(text))


#: What normalise() would change: anything but printable ASCII, spaces at the
#: ends or doubled, spaces around / - : + ( and before ).
_NEEDS_NORMALISING = re.compile(r"[^ -~]|^ | $|  | [/\-:+()]|[/\-:+(] ")


def normalise(text: str) -> str:
    """Fold full-width characters, dashes and stray spaces; keep the letters' case."""
    if text and not _NEEDS_NORMALISING.search(text):
        return text  # already normal: most identifiers in catalogue files
    return _normalise(text)


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    s = _DASHES.sub("-", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s*:\s*", ":", s)
    s = re.sub(r"\s*\+\s*", "+", s)
    s = re.sub(r"\s*\(\s*", "(", s)
    s = re.sub(r"\s*\)", ")", s)
    return s


def parse(text: str) -> StandardIdentifier:
    """Parse an identifier in any customary spelling.

    Raises :class:`IdentifierError` with a message naming the wrong part.
    """
    s = normalise(text)
    return _parse_common(s) or _parse(s, text)


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
    return StandardIdentifier(
        prefix=prefix,
        number=number,
        year=value,
        level=template.level,
        nature=template.nature,
        international=template.international,
    )


@lru_cache(maxsize=65536)
def _prefix_template(prefix: str, sep: str) -> StandardIdentifier | None:
    """The full parse of ``prefix`` before a plain number and year, when it
    is a plain prefix there (no stage, document type or supplement)."""
    try:
        ident = _parse(f"{prefix} 1{sep}2000", prefix)
    except IdentifierError:
        return None
    plain = (
        ident.prefix == prefix
        and ident.number == "1"
        and ident.year == 2000
        and not (ident.stage or ident.doc_type or ident.supplements or ident.adopted)
    )
    return ident if plain else None


def _parse(s: str, original: str) -> StandardIdentifier:
    """The full grammar on normalised text ``s`` (``original`` for messages)."""
    if not s:
        raise IdentifierError(
            _("The identifier is empty."), text=original, part="identifier"
        )
    upper = s.upper()
    if upper.startswith(PUBLISHERS) or upper.startswith("ITU"):
        ident, rest = _parse_international(s, original)
        if rest:
            raise IdentifierError(
                _("Unexpected text %(rest)r at the end of %(original)r.")
                % {"rest": rest, "original": original},
                text=original,
                part="trailing",
            )
        return ident
    ident, rest = _parse_chinese(s, original)
    if rest:
        if rest.startswith("/"):
            adopted_text = rest[1:]
            if not adopted_text.upper().startswith(PUBLISHERS):
                raise IdentifierError(
                    _(
                        "The adopted standard %(adopted)r after '/' must be an "
                        "international identifier such as ISO 9001:2015."
                    )
                    % {"adopted": adopted_text},
                    text=original,
                    part="adopted",
                )
            adopted, tail = _parse_international(adopted_text, original)
            if tail:
                raise IdentifierError(
                    _("Unexpected text %(rest)r at the end of %(original)r.")
                    % {"rest": tail, "original": original},
                    text=original,
                    part="trailing",
                )
            return replace(ident, adopted=adopted)
        raise IdentifierError(
            _("Unexpected text %(rest)r after the year in %(original)r.")
            % {"rest": rest, "original": original},
            text=original,
            part="trailing",
        )
    return ident


def try_parse(text: str) -> StandardIdentifier | None:
    try:
        return parse(text)
    except IdentifierError:
        return None


# --- Chinese identifiers ---------------------------------------------------

_CN_NUMBER = re.compile(r"(\d+(?:\.\d+)*)")
_DB = re.compile(r"DB ?(\d+)")
_GROUP_SPACED = re.compile(r"(T|Q)/([A-Z0-9][A-Z0-9\-]*)(?= )")
_GROUP_COMPACT = re.compile(r"(T|Q)/([A-Z]+(?:-[A-Z]+)*)")
_METROLOGY = re.compile(r"(JJG|JJF)(\(([^)]+)\))?")
_INDUSTRY = re.compile(r"([A-Z]{2,3})(?=[/ \d]|$)")
_YEAR = re.compile(r"(\d+)")


def _parse_chinese(s: str, original: str) -> tuple[StandardIdentifier, str]:
    upper = s.upper()
    prefix, level, nature, rest = _cn_prefix(s, upper, original)
    rest = rest.lstrip()
    m = _CN_NUMBER.match(rest)
    if not m:
        found = rest.split(" ")[0].split("-")[0] if rest else ""
        if not found:
            raise IdentifierError(
                _("The number is missing after the prefix %(prefix)r.")
                % {"prefix": prefix},
                text=original,
                part="number",
            )
        raise IdentifierError(
            _(
                "The number %(number)r after %(prefix)r must be digits with "
                "optional parts, such as 1.1 or 20000.1."
            )
            % {"number": found, "prefix": prefix},
            text=original,
            part="number",
        )
    number = m.group(1)
    rest = rest[m.end() :]
    if rest.startswith(".") or rest[:1].isalpha():
        bad = re.match(r"[^\s\-/]*", rest).group(0)
        raise IdentifierError(
            _("The number %(number)r must be digits with optional parts, such as 1.1.")
            % {"number": number + bad},
            text=original,
            part="number",
        )
    year = None
    if rest.startswith("-"):
        year, rest = _year(rest[1:], original, two_digit_ok=True)
    return (
        StandardIdentifier(
            prefix=prefix,
            number=number,
            year=year,
            level=level,
            nature=nature,
            international=False,
        ),
        rest,
    )


def _nature_suffix(rest_upper: str) -> tuple[str, int]:
    if rest_upper.startswith("/T"):
        return NATURE_RECOMMENDED, 2
    if rest_upper.startswith("/Z"):
        return NATURE_GUIDANCE, 2
    return NATURE_MANDATORY, 0


def _cn_prefix(s: str, upper: str, original: str) -> tuple[str, str, str, str]:
    # National: GB, GB/T, GB/Z (but not GBW, which numbers reference materials).
    if upper.startswith("GB") and not upper.startswith("GBW"):
        nature, n = _nature_suffix(upper[2:])
        return "GB" + upper[2 : 2 + n], LEVEL_NATIONAL, nature, s[2 + n :]
    # Local: DB + division code, a province's two digits (DB51) or a
    # city's four (DB5101, since the 2018 Standardization Law); DB/T alone is
    # the seismology industry code. Mandatory ones are written "DB11/ 501-2017".
    m = _DB.match(upper)
    if m:
        code = m.group(1)
        if code[:2] not in PROVINCE_CODES or len(code) not in (2, 4):
            raise IdentifierError(
                _(
                    "%(code)r in %(original)r is not a province code of a local "
                    "standard (DB11 Beijing … DB65 Xinjiang) or a city's code under "
                    "it (DB5101)."
                )
                % {"code": code, "original": original},
                text=original,
                part="province",
            )
        nature, n = _nature_suffix(upper[m.end() :])
        if nature == NATURE_MANDATORY:
            # "DB11/ 501", "DB11/501" and "DB11 501" are one identifier.
            n = 1 if upper[m.end() : m.end() + 1] == "/" else 0
            return f"DB{code}/", LEVEL_LOCAL, nature, s[m.end() + n :]
        prefix = f"DB{code}" + upper[m.end() : m.end() + n]
        return prefix, LEVEL_LOCAL, nature, s[m.end() + n :]
    # Group and enterprise standards: T/CODE, Q/CODE.
    # The code runs to the space before the number; written without a space
    # ("T/CAS115-2005") only its letters are the code.
    m = _GROUP_SPACED.match(upper) or _GROUP_COMPACT.match(upper)
    if m:
        kind, code = m.group(1), m.group(2)
        level = LEVEL_GROUP if kind == "T" else LEVEL_ENTERPRISE
        return f"{kind}/{code}", level, NATURE_VOLUNTARY, s[m.end() :]
    if upper.startswith(("T/", "Q/")):
        message = (
            _(
                "The group code after %(prefix)r is missing or malformed in %(original)r."
            )
            if upper[0] == "T"
            else _(
                "The enterprise code after %(prefix)r is missing or malformed in "
                "%(original)r."
            )
        )
        raise IdentifierError(
            message % {"prefix": upper[:2], "original": original},
            text=original,
            part="prefix",
        )
    # Metrology: JJG / JJF, local ones with a province abbreviation: JJG(冀).
    m = _METROLOGY.match(upper)
    if m:
        prefix = m.group(1) + (f"({m.group(3)})" if m.group(3) else "")
        level = LEVEL_LOCAL if m.group(3) else LEVEL_NATIONAL
        nature = NATURE_MANDATORY if m.group(1) == "JJG" else NATURE_RECOMMENDED
        return prefix, level, nature, s[m.end() :]
    # Industry: two-letter code, optionally /T or /Z.
    m = _INDUSTRY.match(upper)
    if m and m.group(1) in INDUSTRY_CODES:
        code = m.group(1)
        nature, n = _nature_suffix(upper[m.end() :])
        return (
            code + upper[m.end() : m.end() + n],
            LEVEL_INDUSTRY,
            nature,
            s[m.end() + n :],
        )
    found = re.match(r"[^\s\d]*", s).group(0) or s.split(" ")[0]
    raise IdentifierError(
        _(
            "Unknown prefix %(prefix)r in %(original)r: expected GB, GB/T, GB/Z, an "
            "industry code such as JB/T, DB + province code (DB51/T), T/ + group "
            "code, Q/ + enterprise code, JJG/JJF, or ISO, IEC, ISO/IEC, ITU-T."
        )
        % {"prefix": found, "original": original},
        text=original,
        part="prefix",
    )


def _year(text: str, original: str, *, two_digit_ok: bool) -> tuple[int, str]:
    m = _YEAR.match(text)
    if not m:
        bad = re.match(r"[^\s/]*", text).group(0)
        raise IdentifierError(
            _("The year %(year)r in %(original)r must be four digits, such as 2020.")
            % {"year": bad, "original": original},
            text=original,
            part="year",
        )
    digits = m.group(1)
    if len(digits) == 2 and two_digit_ok:
        value = int(digits)
        year = 1900 + value if value >= 50 else 2000 + value
    elif len(digits) == 4:
        year = int(digits)
    else:
        raise IdentifierError(
            _("The year %(year)r in %(original)r must be four digits, such as 2020.")
            % {"year": digits, "original": original},
            text=original,
            part="year",
        )
    if not 1900 <= year <= 2100:
        raise IdentifierError(
            _("The year %(year)s in %(original)r is out of range (1900–2100).")
            % {"year": year, "original": original},
            text=original,
            part="year",
        )
    rest = text[m.end() :]
    if rest[:1].isalnum():
        raise IdentifierError(
            _("The year %(year)r in %(original)r must be four digits.")
            % {"year": digits + rest.split("/")[0], "original": original},
            text=original,
            part="year",
        )
    return year, rest


# --- International identifiers ---------------------------------------------

_INTL_NUMBER = re.compile(r"(\d+(?:-\d+)*)")
_ITU_NUMBER = re.compile(r"([A-Z]{1,2}\.\d+(?:\.\d+)*(?:-\d+)?)", re.IGNORECASE)
_SUPPLEMENT = re.compile(
    r"([/+])(FDAMD|DAMD|AMD|COR) ?(\d+)?(?::(\d{4}))?", re.IGNORECASE
)


def _parse_international(s: str, original: str) -> tuple[StandardIdentifier, str]:
    upper = s.upper()
    publisher = next((p for p in PUBLISHERS if upper.startswith(p)), None)
    if publisher is None:
        raise IdentifierError(
            _("Unknown publisher in %(original)r: expected ISO, IEC, ISO/IEC or ITU-T.")
            % {"original": original},
            text=original,
            part="prefix",
        )
    rest = s[len(publisher) :]
    if publisher.startswith("ITU"):
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
        ym = re.match(r" ?\((?:\d{2}/)?(\d{4})\)", rest)
        if ym:
            year = int(ym.group(1))
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
    stage = doc_type = ""
    m = re.match(r"[/ ]([A-Za-z]+)(?= ?\d)", rest)
    if m:
        word = m.group(1).upper()
        if word in STAGES:
            stage = word
        elif word in DOC_TYPES:
            doc_type = "Guide" if word == "GUIDE" else word
        else:
            raise IdentifierError(
                _(
                    "%(word)r in %(original)r is not a known deliverable type or "
                    "stage (TR, TS, PAS, Guide, DIS, FDIS, CD ...)."
                )
                % {"word": m.group(1), "original": original},
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
    number = m.group(1)
    rest = rest[m.end() :]
    if rest.startswith("-"):
        raise IdentifierError(
            _("The part number after %(number)r in %(original)r is incomplete.")
            % {"number": number + "-", "original": original},
            text=original,
            part="number",
        )
    year = None
    if rest.startswith(":"):
        year, rest = _year(rest[1:], original, two_digit_ok=False)
    supplements = []
    while True:
        sm = _SUPPLEMENT.match(rest)
        if not sm:
            break
        supplements.append(
            Supplement(
                kind=SUPPLEMENTS[sm.group(2).upper()],
                number=int(sm.group(3)) if sm.group(3) else None,
                year=int(sm.group(4)) if sm.group(4) else None,
                consolidated=sm.group(1) == "+",
            )
        )
        rest = rest[sm.end() :]
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
        ),
        rest,
    )
