"""Search results walked with a keyset, however many there are.

``search.search_standards`` answers a page at an offset and counts up to
``MATCH_CAP``. The API's cursor and the search export need every result
instead, in the same order, each exactly once, at a cost that does not grow
with the depth. The results are three bands (module ``search``), each
walked on its own key:

0. the exact identifier: a handful of editions, read whole and sorted
   (newest first); the position is the last id given;
1. identifiers starting with the query: ``ident_key`` after the last one
   (the B-tree range, filters applied), skipping band 0;
2. full-text matches, skipping bands 0 and 1: when there are at most
   ``RANK_CAP`` they are ranked (shorter search document first, ties newest
   first) and the position is (rank, id); else newest first, ``id`` below
   the last one, straight down the index (FTS5 on SQLite, the GIN index on
   PostgreSQL). Which of the two is decided when the band is entered and
   kept in the position, so the order holds from page to page.

As in the search, a query with a digit or a slash that found identifiers
has no text band. A ``Position`` is a small value the API hands out as its
cursor (``encode``/``decode``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from qihub.catalog import search
from qihub.catalog.search_text import facet_tokens

#: Exact band: how many editions one identifier may have at most (all are
#: read on every page; real identifiers have a few).
EXACT_MAX = 1000


@dataclass(frozen=True)
class Position:
    """Where a walk stopped: the band, the key of the last result given in
    it, and (text band) whether the band is ranked."""

    band: int = 0
    key: str = ""
    ranked: bool = False

    def encode(self) -> str:
        return f"{self.band}{'r' if self.ranked else 'n'}{self.key}"

    @classmethod
    def decode(cls, text: str) -> Position:
        """The position ``encode`` gave; ValueError for anything else."""
        if len(text) < 2 or text[0] not in "012" or text[1] not in "rn":
            raise ValueError(text)
        position = cls(band=int(text[0]), key=text[2:], ranked=text[1] == "r")
        if position.band == 0 and position.key and not position.key.isdigit():
            raise ValueError(text)
        if position.band == 2 and position.key:
            parts = position.key.split(":")
            if len(parts) != (2 if position.ranked else 1) or not all(
                p.isdigit() for p in parts
            ):
                raise ValueError(text)
        return position


START = Position()


@dataclass
class _Query:
    plan: search.Plan
    level: str | None
    status: str | None
    ics: str | None
    year: int | None

    @property
    def where(self) -> tuple[str, list]:
        return search.where_sql(
            *search.filter_sql(
                level=self.level, status=self.status, ics=self.ics, year=self.year
            )
        )

    @property
    def text_tokens(self) -> list[str]:
        return [
            *self.plan.tokens,
            *facet_tokens(level=self.level, ics=self.ics, year=self.year),
        ]


def results_after(
    *,
    q: str,
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
    after: Position = START,
    chunk: int = 200,
) -> Iterator[tuple[int, Position]]:
    """The ids of the results of the query ``q`` after ``after``, in the
    search's order, each with the position that continues after it. Read
    lazily, ``chunk`` rows of the database at a time."""
    query = _Query(search.query_plan(q), level, status, ics, year)
    if not query.plan.query:
        return
    chunk = max(1, chunk)
    with connection.cursor() as cur:
        exact = _exact_ids(cur, query)
        exact_set = set(exact)
        if after.band == 0:
            start = 0
            if after.key:
                last = int(after.key)
                start = exact.index(last) + 1 if last in exact_set else len(exact)
            for pk in exact[start:]:
                yield pk, Position(0, str(pk))
            after = Position(1)
        if after.band == 1:
            last_key = after.key
            while query.plan.prefix_key:
                rows = _prefix_rows(cur, query, last_key, chunk)
                for pk, key in rows:
                    if pk not in exact_set:
                        yield pk, Position(1, key)
                if len(rows) < chunk:
                    break
                last_key = rows[-1][1]
            after = Position(2)
        if after.band == 2:
            yield from _text(cur, query, exact_set, after, chunk)


def page_after(
    *, q: str, after: Position = START, limit: int = 20, **filters
) -> tuple[list[int], Position | None]:
    """One page: the ids of up to ``limit`` results after ``after`` and the
    position of the last when more follow (None at the end)."""
    found = list(
        itertools.islice(
            results_after(q=q, after=after, chunk=limit + 1, **filters), limit + 1
        )
    )
    more = len(found) > limit
    found = found[:limit]
    return [pk for pk, _ in found], (found[-1][1] if more and found else None)


def position_of(
    pk: int,
    *,
    q: str,
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
) -> Position:
    """The position just after the result ``pk`` of the query (the last row
    of a page ``search_standards`` gave): the cursor for the next page.
    LookupError when there is no such standard."""
    query = _Query(search.query_plan(q), level, status, ics, year)
    with connection.cursor() as cur:
        if pk in _exact_ids(cur, query):
            return Position(0, str(pk))
        cur.execute(
            f"SELECT s.ident_key, {_rank_sql()} FROM catalog_standard s "  # noqa: S608
            "WHERE s.id = %s",
            [pk],
        )
        row = cur.fetchone()
        if row is None:
            raise LookupError(pk)
        key, rank = row
        prefix = query.plan.prefix_key
        if prefix and prefix <= key < prefix + "\uffff":
            return Position(1, key)
        if _text_is_ranked(cur, query):
            return Position(2, f"{rank}:{pk}", ranked=True)
        return Position(2, str(pk))


# --- bands -----------------------------------------------------------------


def _exact_ids(cur, query: _Query) -> list[int]:
    """Band 0 whole, newest edition first (as ``search.identifier_ids``)."""
    plan = query.plan
    if not plan.exact_keys:
        return []
    where, params = query.where
    cond = f"s.ident_key IN ({search.marks(plan.exact_keys)})"
    args: list = list(plan.exact_keys)
    if plan.base_key:
        cond = f"({cond} OR s.base_key = %s)"
        args.append(plan.base_key)
    cur.execute(
        "SELECT s.id, s.year, s.ident_key FROM (SELECT s.id, s.year, s.ident_key, "  # noqa: S608
        f"s.level, s.status FROM catalog_standard s WHERE {cond} LIMIT %s) s "
        f"WHERE 1 = 1{where}",
        [*args, EXACT_MAX, *params],
    )
    rows = sorted(
        (year is None, -(year or 0), key, pk) for pk, year, key in cur.fetchall()
    )
    return [row[-1] for row in rows]


def _prefix_rows(cur, query: _Query, after: str, limit: int) -> list[tuple]:
    """Band 1: (id, ident_key) of the next ``limit`` identifiers in the
    range after ``after``, filters applied."""
    where, params = query.where
    key = query.plan.prefix_key
    cur.execute(
        "SELECT s.id, s.ident_key FROM catalog_standard s WHERE s.ident_key >= %s "  # noqa: S608
        f"AND s.ident_key < %s AND s.ident_key > %s{where} "
        "ORDER BY s.ident_key LIMIT %s",
        [key, key + "\uffff", after, *params, limit],
    )
    return cur.fetchall()


def _has_identifier_results(cur, query: _Query, exact: set[int]) -> bool:
    return bool(exact) or bool(
        query.plan.prefix_key and _prefix_rows(cur, query, "", 1)
    )


def _rank_sql() -> str:
    """A match's rank, as the search orders a few matches (``search.RANK``
    on SQLite, the vector's length on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return f"LENGTH({search.PostgresBackend.VECTOR})"
    return search.RANK


def _rank_cap() -> int:
    # The first page ranks at most MATCH_CAP matches (its count's cap) too.
    return min(search.RANK_CAP, search.MATCH_CAP)


def _matches(
    cur, query: _Query, *, below: int | None, limit: int, newest: bool = True
) -> list[tuple]:
    """(id, rank, ident_key) of full-text matches, newest first below the id
    ``below`` (or unordered, any ``limit`` of them, on PostgreSQL when
    ``newest`` is false: the GIN bitmap then stops early)."""
    tokens = query.text_tokens
    rank = _rank_sql()
    if connection.vendor == "postgresql":
        cond, args = "", [search.PostgresBackend.ts_query(tokens, query.status)]
        if below is not None:
            cond, args = " AND s.id < %s", [*args, below]
        order = " ORDER BY s.id DESC" if newest else ""
        cur.execute(
            f"SELECT s.id, {rank}, s.ident_key FROM catalog_standard s WHERE "  # noqa: S608
            f"{search.PostgresBackend.VECTOR} @@ %s::tsquery{cond}{order} LIMIT %s",
            [*args, limit],
        )
        return cur.fetchall()
    # The index alone first, then its rows by id: joined in one statement,
    # SQLite may walk the table and probe the index row by row (7.6 s for a
    # word of no match at 210,000 standards).
    cond, args = "", [search.SqliteBackend.match_expression(tokens, query.status)]
    if below is not None:
        cond, args = " AND rowid < %s", [*args, below]
    cur.execute(
        "SELECT rowid FROM catalog_standard_fts WHERE catalog_standard_fts "  # noqa: S608
        f"MATCH %s{cond} ORDER BY rowid DESC LIMIT %s",
        [*args, limit],
    )
    ids = [row[0] for row in cur.fetchall()]
    if not ids:
        return []
    cur.execute(
        f"SELECT s.id, {rank}, s.ident_key FROM catalog_standard s "  # noqa: S608
        f"WHERE s.id IN ({search.marks(ids)})",
        ids,
    )
    rows = {row[0]: row for row in cur.fetchall()}
    return [rows[pk] for pk in ids if pk in rows]


def _text_is_ranked(cur, query: _Query) -> bool:
    cap = _rank_cap()
    return len(_matches(cur, query, below=None, limit=cap + 1, newest=False)) <= cap


def _text(
    cur, query: _Query, exact: set[int], after: Position, chunk: int
) -> Iterator[tuple[int, Position]]:
    """Band 2 from ``after``."""
    plan = query.plan
    if not plan.tokens or (
        plan.identifier_hint and _has_identifier_results(cur, query, exact)
    ):
        return
    prefix = plan.prefix_key

    def earlier_band(pk: int, key: str) -> bool:
        return pk in exact or bool(prefix and prefix <= key < prefix + "\uffff")

    ranked = after.ranked if after.key else _text_is_ranked(cur, query)
    if ranked:
        cap = _rank_cap()
        rows = sorted(
            (rank, -pk, key)
            for pk, rank, key in _matches(
                cur, query, below=None, limit=cap + 1, newest=False
            )
        )
        if after.key:
            rank, pk = (int(p) for p in after.key.split(":"))
            rows = [row for row in rows if row[:2] > (rank, -pk)]
        for rank, neg_pk, key in rows:
            if not earlier_band(-neg_pk, key):
                yield -neg_pk, Position(2, f"{rank}:{-neg_pk}", ranked=True)
        return
    below = int(after.key) if after.key else None
    while True:
        rows = _matches(cur, query, below=below, limit=chunk)
        for pk, _rank, key in rows:
            if not earlier_band(pk, key):
                yield pk, Position(2, str(pk))
        if len(rows) < chunk:
            return
        below = rows[-1][0]


def rows_after(
    *, q: str, after: Position = START, limit: int = 20, **filters
) -> tuple[list[dict], Position | None]:
    """``page_after`` with the result rows (``search.SearchPage.rows``)."""
    ids, position = page_after(q=q, after=after, limit=limit, **filters)
    with connection.cursor() as cur:
        return search.fetch_rows(cur, ids), position
