"""Region text as enterprises type it ("深圳", "四川省", "Shenzhen") read as a
GB/T 2260 division.

Declarations used to keep the region as free text; the organisation now
holds a ``Region``. ``RegionIndex`` reads a division code or a name, with or
without its suffix (省, 市, 区, 县 ...), in Chinese or English, and answers
``None`` when the text names no division or several at the same level (the
wider division wins when a province and its city share a name, as 北京市
does). The data migration builds it from the historical ``Region`` rows, the
services from the live table, so both read a text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Suffixes of Chinese division names, longest first.
_ZH_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_EN_SUFFIXES = re.compile(
    r"\s+(province|city|district|county|autonomous region|"
    r"special administrative region|prefecture|league|banner)$"
)
_LEVELS = {"province": 0, "city": 1, "county": 2}
_CACHED: RegionIndex | None = None


def _keys(name_zh: str, name_en: str) -> set[str]:
    keys = set()
    zh = _fold(name_zh)
    if zh:
        keys.add(zh)
        for suffix in _ZH_SUFFIXES:
            if zh.endswith(suffix) and len(zh) - len(suffix) >= 2:
                keys.add(zh[: -len(suffix)])
                break
    en = _fold(name_en)
    if en:
        keys.add(en)
        keys.add(_EN_SUFFIXES.sub("", en))
    return keys


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


class RegionIndex:
    """Division codes by name, built once from ``(code, name_zh, name_en, level)``."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        self.codes: set[str] = set()
        self._by_key: dict[str, list[tuple[int, str]]] = {}
        for code, name_zh, name_en, level in rows:
            self.codes.add(code)
            for key in _keys(name_zh, name_en):
                self._by_key.setdefault(key, []).append((_LEVELS.get(level, 3), code))

    @classmethod
    def from_db(cls) -> RegionIndex:
        from qihub.organisations.models import Region

        return cls(Region.objects.values_list("code", "name_zh", "name_en", "level"))

    @classmethod
    def cached(cls) -> RegionIndex:
        """The index of the live table, built once per process (the division
        list changes only with a new data release)."""
        global _CACHED
        if _CACHED is None:
            index = cls.from_db()
            if not index.codes:
                return index
            _CACHED = index
        return _CACHED

    def candidates(self, text: str) -> list[str]:
        """Every code ``text`` may name, at the widest level it names (南山区
        is a district of 深圳 and one of 鹤岗)."""
        folded = _fold(text)
        if not folded:
            return []
        if folded.isdigit():
            return [folded] if folded in self.codes else []
        found = self._by_key.get(folded)
        if not found:
            return []
        top = min(level for level, _code in found)
        return sorted({code for level, code in found if level == top})

    def resolve(self, text: str) -> str | None:
        """The code ``text`` names, or None (unknown, or ambiguous)."""
        codes = self.candidates(text)
        return codes[0] if len(codes) == 1 else None
