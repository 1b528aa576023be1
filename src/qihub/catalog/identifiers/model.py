"""What a parsed identifier holds, how it is written back, and the text folding
that every spelling goes through before it is read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

LEVEL_INTERNATIONAL = "international"
LEVEL_NATIONAL = "national"
LEVEL_INDUSTRY = "industry"
LEVEL_LOCAL = "local"
LEVEL_GROUP = "group"
LEVEL_ENTERPRISE = "enterprise"
#: A regional standard of a region China is not part of (EN of CEN/CENELEC).
LEVEL_FOREIGN_REGIONAL = "foreign_regional"
#: Another country's national or national-body standard (DIN, BS, NF, JIS,
#: ANSI, ASTM), including its adoptions of EN and ISO (DIN EN ISO 9001).
LEVEL_FOREIGN_NATIONAL = "foreign_national"
FOREIGN_LEVELS = frozenset({LEVEL_FOREIGN_REGIONAL, LEVEL_FOREIGN_NATIONAL})

NATURE_MANDATORY = "mandatory"
NATURE_RECOMMENDED = "recommended"
NATURE_GUIDANCE = "guidance"
NATURE_VOLUNTARY = "voluntary"

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
    """An amendment, corrigendum, addendum, supplement or extension to an
    international standard, published or at a draft stage (``/DAM 1``,
    ``/CD Amd 2.3``: stage CD, second iteration)."""

    kind: str  # Amd, Cor, Add, Suppl, Ext, DAM, FDAM, DAmd, FDAmd, DCOR, FDCOR
    number: int | None
    year: int | None
    consolidated: bool = False  # "+AMD1" (IEC consolidated edition) rather than "/AMD1"
    stage: str = ""  # CD, WD, AWI ... before the kind: "/CD Amd 1"
    iteration: int | None = None  # "/CD Amd 1.2"

    def render(self, publisher: str) -> str:
        sep = "+" if self.consolidated else "/"
        number = "" if self.number is None else str(self.number)
        if self.iteration is not None:
            number += f".{self.iteration}"
        if publisher.startswith("IEC") and not self.stage:
            text = f"{self.kind.upper()}{number}"
        else:
            text = (f"{self.stage} " if self.stage else "") + self.kind
            text += f" {number}" if number else ""
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
    #: The draft's iteration: ISO/DIS 10239.2 is the second DIS.
    iteration: int | None = None
    #: Month and day of a dated edition: IEC 61508-1:1998-12, DIN 820-2:2012-12.
    month: int | None = None
    day: int | None = None
    #: "ISO 16634:—": cited before its year was known (not yet published).
    year_pending: bool = False
    #: "ISO 712 (all parts)": every part of a multi-part standard.
    all_parts: bool = False
    #: "IEC 60947-1 Edition 3.1".
    edition: str = ""
    #: What a Chinese identifier says after its year: "2018年版", "心电图机部分".
    qualifier: str = ""

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
        return replace(
            self,
            year=None,
            month=None,
            day=None,
            adopted=None,
            year_pending=False,
            edition="",
            all_parts=False,
        )

    @property
    def foreign(self) -> bool:
        return self.level in FOREIGN_LEVELS

    def _main(self, *, dated: bool = True) -> str:
        """The identifier without the adopted one (``dated``: with its year)."""
        year = self.year if dated else None
        if self.level in FOREIGN_LEVELS or self.prefix == "OIML":
            return self._foreign(year)
        if not self.international:
            if self.prefix.endswith("-"):
                text = f"{self.prefix}{self.number}"  # DG/TJ08-2158
            else:
                text = f"{self.prefix} {self.number}"
            if year:
                text += f"-{year}"
            if self.qualifier:
                text += f"({self.qualifier})"
            return text
        head = self.prefix
        if self.stage:
            head += ("/" if "/" not in self.prefix and head != "IWA" else " ") + (
                self.stage
            )
            if self.doc_type:
                head += f" {self.doc_type}"
        elif self.doc_type:
            if (
                self.doc_type == "Guide"
                or "/" in self.prefix
                or not self.prefix.startswith("ISO")
            ):
                head += f" {self.doc_type}"
            else:
                head += f"/{self.doc_type}"
        text = f"{head} {self.number}"
        if self.iteration is not None:
            text += f".{self.iteration}"
        if year:
            text += f":{year}"
            if self.month:
                text += f"-{self.month:02d}"
                if self.day:
                    text += f"-{self.day:02d}"
        elif self.year_pending and dated:
            text += ":\u2014"
        for sup in self.supplements:
            text += sup.render(self.prefix)
        if self.edition and dated:
            text += f" Edition {self.edition}"
        if self.all_parts and dated:
            text += " (all parts)"
        return text

    def _foreign(self, year: int | None) -> str:
        text = f"{self.prefix} {self.number}"
        if year:
            if self.prefix.startswith(("ASTM", "ANSI")):
                text += f"-{year % 100:02d}" if self.prefix == "ASTM" else f"-{year}"
                text += self.edition  # ASTM's revision letter: D638-14a
            else:
                text += f":{year}"
                if self.month:
                    text += f"-{self.month:02d}"
        for sup in self.supplements:
            text += sup.render(self.prefix)
        return text


def _compact(text: str) -> str:
    return text.replace(" ", "").replace("\u2014", "-").upper()


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
    return fold(text)


_SPACES = re.compile(r"\s+")
#: Spaces dropped around these (compiled once: a list of 5,000 lines is
#: folded line by line).
_AROUND = [
    (re.compile(r"\s*/\s*"), "/"),
    (re.compile(r"\s*-\s*"), "-"),
    (re.compile(r"\s*:\s*"), ":"),
    (re.compile(r"\s*\+\s*"), "+"),
    (re.compile(r"\s*\(\s*"), "("),
    (re.compile(r"\s*\)"), ")"),
]


def fold(text: str) -> str:
    """``normalise`` without its fast path: every fold, always."""
    s = unicodedata.normalize("NFKC", text or "")
    s = _DASHES.sub("-", s)
    s = _SPACES.sub(" ", s).strip()
    for pattern, replacement in _AROUND:
        s = pattern.sub(replacement, s)
    return s
