"""Bounds for what a client may ask of a list: page numbers and ids.

A page number or id beyond the databases' 64-bit integers overflowed in the
driver (a 500 on SQLite, "datatype mismatch" on PostgreSQL); Unicode digits
such as "³" pass ``str.isdigit`` but not ``int``. Everything a client sends as
a number goes through these helpers first.
"""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

#: The highest ``?page=`` a list accepts: beyond it no list holds anything and
#: the offset nears the databases' integer limits.
MAX_PAGE = 100_000

#: The largest id a database row can have (signed 64-bit).
MAX_ID = 2**63 - 1


def ascii_int(text: object, *, maximum: int = MAX_ID) -> int | None:
    """The value of text made only of ASCII digits 0-9, within ``maximum``;
    None for anything else (Unicode digits, signs, spaces, overflow)."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text <= maximum else None
    value = str(text).strip()
    if not value or not value.isascii() or not value.isdecimal():
        return None
    if len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if number <= maximum else None


def page_number(text: object) -> int:
    """A page number from a query string for a page view: 1 for anything
    that is not a number from 1 to ``MAX_PAGE``."""
    number = ascii_int(text, maximum=MAX_PAGE)
    return number if number and number >= 1 else 1


class BoundedPageNumberPagination(PageNumberPagination):
    """Page-number pagination whose page number is bounded (a 422 beyond)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
