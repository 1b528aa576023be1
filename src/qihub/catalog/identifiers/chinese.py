"""Chinese identifiers: national, industry, local, group, enterprise and
metrology standards, as printed and as written compactly in file names.

Grammar (on normalised text)::

    chinese      := cn-prefix [" "] cn-number ["-" year] ["(" qualifier ")"]
    cn-prefix    := "GB" ["/T" | "/Z" | "T"]                national (GBT19266 = GB/T)
                  | "GBZ" ["/T"]                            occupational health (国家职业卫生标准)
                  | "DB" division ("/T" | "/Z" | "/" | "T") local (DB51/T, city DB5101/T,
                                                             mandatory DB11/, DB32T1580)
                  | industry ["/T" | "/Z" | "T"]            industry (JB/T, DB/T = seismology,
                                                             construction JGJ/T, CJJ, JTG)
                  | ("DG/TJ" | "DGJ" | "DBJ") region "-"    local construction codes
                                                             (DG/TJ08-2158-2023)
                  | "T/" group-code                         group (T/CAS)
                  | "Q/" enterprise-code                    enterprise (Q/HBJ)
                  | ("JJG" | "JJF") ["(" province-abbr ")"] metrology regulations
    cn-number    := digits ("." digits)*                    1.1, 20000.1, 2763
                  | JTG: [letter] digits ["/" digits] ["-" 2 digits]   B01, F80/1, B05-01
    qualifier    := text with Chinese characters            2018年版, 心电图机部分
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from qihub.catalog.identifiers.model import (
    LEVEL_ENTERPRISE,
    LEVEL_GROUP,
    LEVEL_INDUSTRY,
    LEVEL_LOCAL,
    LEVEL_NATIONAL,
    NATURE_GUIDANCE,
    NATURE_MANDATORY,
    NATURE_RECOMMENDED,
    NATURE_VOLUNTARY,
    IdentifierError,
    StandardIdentifier,
)

#: Industry standard codes (行业标准代号) published by the SAC, with the
#: engineering construction codes (JGJ building, CJJ urban, JTG highways).
INDUSTRY_CODES = frozenset(
    """AQ BB CB CH CJ CY DA DB DL DZ EJ FZ GA GD GH GM GY HB HG HJ HS HY JB JC JG JR
    JT JY LB LD LS LY MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD
    TY WB WH WJ WM WS WW XB XF YB YC YD YJ YS YY YZ ZY JGJ CJJ JTG""".split()
)

#: Province-level division codes used in local standards (DB11 Beijing ... DB82 Macao).
PROVINCE_CODES = frozenset(
    """11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54
    61 62 63 64 65 71 81 82""".split()
)

_CN_NUMBER = re.compile(r"(\d+(?:\.\d+)*)")
_JTG_NUMBER = re.compile(
    r"([A-HJ-Z]?\d+(?:\.\d+)*(?:/\d+)?(?:-\d{2}(?=-\d{4}(?!\d)))?)"
)
_DB = re.compile(r"DB ?(\d+)")
_LOCAL_CONSTRUCTION = re.compile(r"(DG/TJ|DGJ|DBJ/T|DBJ) ?(\d{2})-(?=\d)")
_GROUP_SPACED = re.compile(r"(T|Q)/([A-Z0-9][A-Z0-9\-]*)(?= )")
_GROUP_COMPACT = re.compile(r"(T|Q)/([A-Z]+(?:-[A-Z]+)*)")
_METROLOGY = re.compile(r"(JJG|JJF)(\(([^)]+)\))?")
_INDUSTRY = re.compile(r"([A-Z]{2,3})(?=[/ \d]|$)")
_INDUSTRY_COMPACT_T = re.compile(r"([A-Z]{2,3})T(?=\d)")
_YEAR = re.compile(r"(\d+)")
_QUALIFIER = re.compile(r"\(([^()]*[\u3400-\u9fff][^()]*)\)")
_SPACED_YEAR = re.compile(r" (\d{4})$")


def parse_chinese(s: str, original: str) -> tuple[StandardIdentifier, str]:
    """Read a Chinese identifier at the start of ``s``; return it and the rest."""
    upper = s.upper()
    prefix, level, nature, rest = _cn_prefix(s, upper, original)
    rest = rest.lstrip()
    pattern = _JTG_NUMBER if prefix.startswith("JTG") else _CN_NUMBER
    m = pattern.match(rest.upper())
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
        year, rest = read_year(rest[1:], original, two_digit_ok=True)
    elif sm := _SPACED_YEAR.match(rest):
        raise IdentifierError(
            _(
                "%(year)r in %(original)r looks like the year: write it after a "
                "dash, as in %(fixed)r."
            )
            % {
                "year": sm.group(1),
                "original": original,
                "fixed": f"{prefix} {number}-{sm.group(1)}",
            },
            text=original,
            part="year",
        )
    qualifier = ""
    if qm := _QUALIFIER.match(rest):
        qualifier, rest = qm.group(1).strip(), rest[qm.end() :]
    return (
        StandardIdentifier(
            prefix=prefix,
            number=number,
            year=year,
            level=level,
            nature=nature,
            international=False,
            qualifier=qualifier,
        ),
        rest,
    )


def _nature_suffix(rest_upper: str, *, compact: bool = False) -> tuple[str, int]:
    """The nature after a code: /T, /Z, or (``compact``) a bare T before digits."""
    if rest_upper.startswith("/T"):
        return NATURE_RECOMMENDED, 2
    if rest_upper.startswith("/Z"):
        return NATURE_GUIDANCE, 2
    if compact and rest_upper[:1] == "T" and rest_upper[1:2].isdigit():
        return NATURE_RECOMMENDED, 1
    return NATURE_MANDATORY, 0


def _suffixed(code: str, nature: str) -> str:
    return code + {NATURE_RECOMMENDED: "/T", NATURE_GUIDANCE: "/Z"}.get(nature, "")


def _cn_prefix(s: str, upper: str, original: str) -> tuple[str, str, str, str]:
    # Occupational health standards: GBZ, GBZ/T (their own code, not GB/Z).
    if upper.startswith("GBZ"):
        nature, n = _nature_suffix(upper[3:], compact=True)
        if n == 2 and nature == NATURE_GUIDANCE:
            nature, n = NATURE_MANDATORY, 0  # "GBZ/Z" is no code: the number says why
        return _suffixed("GBZ", nature), LEVEL_NATIONAL, nature, s[3 + n :]
    # National: GB, GB/T, GB/Z (but not GBW, which numbers reference materials).
    if upper.startswith("GB") and not upper.startswith("GBW"):
        nature, n = _nature_suffix(upper[2:], compact=True)
        return _suffixed("GB", nature), LEVEL_NATIONAL, nature, s[2 + n :]
    # Local engineering construction codes: Shanghai DG/TJ 08, DGJ 08, DBJ 15.
    m = _LOCAL_CONSTRUCTION.match(upper)
    if m:
        head, region = m.group(1), m.group(2)
        nature = NATURE_RECOMMENDED if "/T" in head else NATURE_MANDATORY
        # Written with a hyphen before the number: DG/TJ08-2158-2023.
        return f"{head}{region}-", LEVEL_LOCAL, nature, s[m.end() :]
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
        nature, n = _nature_suffix(upper[m.end() :], compact=True)
        if nature == NATURE_MANDATORY:
            # "DB11/ 501", "DB11/501" and "DB11 501" are one identifier.
            n = 1 if upper[m.end() : m.end() + 1] == "/" else 0
            return f"DB{code}/", LEVEL_LOCAL, nature, s[m.end() + n :]
        prefix = _suffixed(f"DB{code}", nature)
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
    # Highway codes take lettered numbers: JTG B01-2014, JTGB01-2014, JTGT2213-2023.
    if upper.startswith("JTG"):
        nature, n = _nature_suffix(upper[3:], compact=True)
        return _suffixed("JTG", nature), LEVEL_INDUSTRY, nature, s[3 + n :]
    # Industry: a code, optionally /T or /Z (compactly: YYT0654 = YY/T 0654).
    m = _INDUSTRY.match(upper)
    if m and m.group(1) in INDUSTRY_CODES:
        code = m.group(1)
        nature, n = _nature_suffix(upper[m.end() :])
        return _suffixed(code, nature), LEVEL_INDUSTRY, nature, s[m.end() + n :]
    m = _INDUSTRY_COMPACT_T.match(upper)
    if m and m.group(1) in INDUSTRY_CODES:
        code = m.group(1)
        return (
            f"{code}/T",
            LEVEL_INDUSTRY,
            NATURE_RECOMMENDED,
            s[m.end() :],
        )
    found = re.match(r"[^\s\d]*", s).group(0) or s.split(" ")[0]
    raise IdentifierError(
        _(
            "Unknown prefix %(prefix)r in %(original)r: expected GB, GB/T, GB/Z, GBZ, "
            "an industry code such as JB/T or JGJ, DB + province code (DB51/T), T/ + "
            "group code, Q/ + enterprise code, JJG/JJF, ISO, IEC, ISO/IEC, ITU-T, OIML, "
            "or a foreign code such as EN, DIN, BS, NF, JIS, ANSI, ASTM."
        )
        % {"prefix": found, "original": original},
        text=original,
        part="prefix",
    )


def read_year(text: str, original: str, *, two_digit_ok: bool) -> tuple[int, str]:
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
