"""Denormalised search keys: the indexed, normalised text public search matches.

A key is the text case-folded with whitespace removed, so a prefix search is
a range scan on a plain b-tree index on SQLite and PostgreSQL alike.
"""

import unicodedata

#: Appended to a prefix to form the exclusive upper end of its key range.
RANGE_END = "\U0010ffff"


def text_key(text: str) -> str:
    """The search key of a name: NFKC, case-folded, without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())[:200]


def prefix_range(text: str) -> tuple[str, str] | None:
    """``(low, high)`` such that ``low <= key < high`` selects keys starting with text."""
    key = text_key(text)
    if not key:
        return None
    return key, key + RANGE_END
