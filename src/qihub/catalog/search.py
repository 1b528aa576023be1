"""Catalogue search: one query box for identifiers and titles (zh and en).

The search document of a standard (``Standard.search_text``) is a space
separated list of lower-case tokens: jieba's search-mode segmentation of the
Chinese title (so 食品 finds 食品安全国家标准), the English words and the
identifier's letter and digit runs (so ``GB/T 1.1``, ``19001`` and ``ISO 9001``
match). Queries are segmented the same way (both in ``catalog.search_text``).

Results are ranked in three bands: the exact identifier (dated, or every
edition of an undated one, in any spelling the identifier parser accepts),
then identifiers starting with the query (a range scan on the ``ident_key``
B-tree), then full-text matches, best first when there are few (the shorter
search document first: with each word in a document once, that is bm25's
order), newest first when there are many. Level, year, ICS codes and status
are words of the full-text index too, so a filtered text search is one index
match (the status is added by the database, migration 0005). The full-text
index is SQLite FTS5 on the embedded default and a PostgreSQL GIN index in
production (migrations 0002, 0005 and 0007); the backend is picked by
``connection.vendor`` and callers never see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db import connection

from qihub.catalog import identifiers
from qihub.catalog.models import Standard
from qihub.catalog.search_text import (
    HAS_CJK,
    IDENTIFIER_HINT,
    STATUS_WORD,
    facet_tokens,
    query_tokens,
    safe_tokens,
    status_token,
)

#: How many matches each band counts at most (more when paging further);
#: beyond it the total is a lower bound and ``total_is_estimate`` is set.
MATCH_CAP = 200
#: Full-text matches are ranked by relevance only when there are at most this many.
RANK_CAP = 200
#: With filters, how many identifiers starting with the query are filtered
#: before the planner is left to choose (it may start from a filter's index).
WALK = 5000
#: PostgreSQL: how many of the newest rows are tested one by one for a word
#: with many matches before the planner is left to sort them all.
RECENT = 20_000
#: PostgreSQL, several words: how many of the newest rows are walked for more
#: than MATCH_CAP matches before the index is asked at all.
RECENT_FIRST = 8_000


@dataclass(frozen=True)
class Plan:
    """What one query asks of each band (memoised per query text)."""

    query: str
    #: Exact band: these ``ident_key`` values, and every edition sharing
    #: ``base_key`` when the query is undated.
    exact_keys: tuple[str, ...] = ()
    base_key: str = ""
    #: Prefix band: identifiers whose key starts with this ('' for none).
    prefix_key: str = ""
    tokens: tuple[str, ...] = ()
    #: A digit or a slash: a query that found identifiers needs no text band.
    identifier_hint: bool = False


@lru_cache(maxsize=4096)
def query_plan(q: str) -> Plan:
    query = identifiers.normalise(q)
    if not query:
        return Plan(query="")
    exact_keys: tuple[str, ...] = ()
    base_key = ""
    parsed = identifiers.try_parse(query)
    key = identifiers.compact_key(query)
    if parsed is not None:  # every catalogue record has a parseable identifier
        exact_keys = tuple(dict.fromkeys((key, parsed.key)))
        if not parsed.dated:
            exact_keys, base_key = (key,), parsed.base_key
    return Plan(
        query=query,
        exact_keys=exact_keys,
        base_key=base_key,
        prefix_key=key if _identifier_like(key) else "",
        tokens=tuple(query_tokens(query)),
        identifier_hint=bool(IDENTIFIER_HINT.search(query)),
    )


#: The columns a result shows (the API's StandardOut, ICS codes aside), in
#: the model's field order (``Standard.from_db`` takes them so).
ROW_FIELDS = tuple(
    f.attname
    for f in Standard._meta.concrete_fields
    if f.attname
    in {
        "id",
        "identifier",
        "title_zh",
        "title_en",
        "level",
        "nature",
        "status",
        "year",
        "issued_on",
        "implemented_on",
        "withdrawn_on",
        "ccs_id",
    }
)
ROW_COLUMNS = ", ".join(f"s.{Standard._meta.get_field(f).column}" for f in ROW_FIELDS)
_ICS_TABLE = Standard.ics.through._meta.db_table


@dataclass
class SearchPage:
    """One page of search results.

    ``rows`` are plain dicts (``ROW_FIELDS`` and ``ics``, the codes), read in
    one statement: what the API returns. ``results`` are the same records as
    ``Standard`` instances (only those fields loaded, ``ics_codes`` set), for
    pages and other Python callers.
    """

    query: str
    total: int
    rows: list[dict] = field(default_factory=list)
    total_is_estimate: bool = False
    offset: int = 0
    limit: int = 20

    @cached_property
    def results(self) -> list[Standard]:
        names = [*ROW_FIELDS]
        standards = []
        for row in self.rows:
            standard = Standard.from_db(
                connection.alias, names, [row[n] for n in names]
            )
            standard.ics_codes = row["ics"]
            standards.append(standard)
        return standards


def filter_sql(
    *, level: str | None, status: str | None, ics: str | None, year: int | None
) -> tuple[list[str], list, str]:
    """The filters as SQL on ``catalog_standard s``: column conditions, their
    parameters, and the ICS code."""
    conds: list[str] = []
    params: list = []
    if level:
        conds.append("s.level = %s")
        params.append(level)
    if status:
        conds.append("s.status = %s")
        params.append(status)
    if year:
        conds.append("s.year = %s")
        params.append(int(year))
    return conds, params, (ics or "").strip().rstrip(".")


def where_sql(conds: list[str], params: list, ics_code: str) -> tuple[str, list]:
    """The conditions as " AND ..." on ``s``, with the ICS check when a code
    is given, and their parameters."""
    conds, params = list(conds), list(params)
    if ics_code:
        sql, extra = _ics_exists("s.id", ics_code)
        conds.append(sql)
        params.extend(extra)
    return "".join(f" AND {c}" for c in conds), params


def _ics_exists(id_sql: str, code: str) -> tuple[str, list]:
    """The standard ``id_sql`` has the ICS code or one of its sub-codes (a range
    on the code: "67." <= code < "67/")."""
    return (
        f"EXISTS (SELECT 1 FROM {_ICS_TABLE} i WHERE i.standard_id = {id_sql} AND "  # noqa: S608
        "(i.icscode_id = %s OR (i.icscode_id >= %s AND i.icscode_id < %s)))",
        [code, code + ".", code + "/"],
    )


def _identifier_like(key: str) -> bool:
    """A compact key that could start an identifier."""
    return bool(key) and not HAS_CJK.search(key) and key[0].isalnum()


def search_standards(
    *,
    q: str = "",
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> SearchPage:
    """Search the catalogue; see the module docstring for the ranking."""
    plan = query_plan(q)
    offset = max(0, int(offset))
    limit = max(0, int(limit))
    want = max(MATCH_CAP, offset + limit)
    where, params = where_sql(
        *filter_sql(level=level, status=status, ics=ics, year=year)
    )
    page = SearchPage(query=plan.query, total=0, offset=offset, limit=limit)
    with connection.cursor() as cur:
        if not plan.query:
            _listing(cur, page, where, params, want)
            return page
        ordered: dict[int, None] = {}
        if plan.exact_keys or plan.prefix_key:
            ids, page.total_is_estimate = identifier_ids(cur, plan, where, params, want)
            ordered = dict.fromkeys(ids)
        text_ids: list[int] = []
        if plan.tokens and not (ordered and plan.identifier_hint):
            text_ids, more, ranked = _backend().match_ids(
                cur,
                [*plan.tokens, *facet_tokens(level=level, ics=ics, year=year)],
                words=len(plan.tokens),
                status=status,
                cap=want,
                need=offset + limit + len(ordered),
            )
            page.total_is_estimate = page.total_is_estimate or more
            # Few matches are shown best first: ranked by the backend, or here.
            rank = not (ranked or more) and 1 < len(text_ids) <= RANK_CAP
            if not ordered and rank:  # ranked and loaded in one statement
                page.total = len(text_ids)
                page.rows = fetch_rows(
                    cur, text_ids, ranked=True, offset=offset, limit=limit
                )
                return page
            text_ids = [pk for pk in text_ids if pk not in ordered]
            if rank and len(ordered) < offset + limit and len(text_ids) > 1:
                text_ids = _ranked(cur, text_ids)
            if more:
                # More than ``want`` text matches: a lower bound, the same on
                # both databases whichever of them were read.
                page.total = max(want, len(ordered))
        ids = [*ordered, *text_ids]
        page.total = page.total or len(ids)
        page.rows = fetch_rows(cur, ids[offset : offset + limit])
    return page


def _listing(cur, page: SearchPage, where: str, params: list, want: int) -> None:
    """No query: the filtered catalogue by identifier (the ``ident_key`` index
    gives the order); the count stops at the cap, as a full count of a
    million rows is not free."""
    cur.execute(
        "SELECT COUNT(*) FROM (SELECT 1 FROM catalog_standard s WHERE 1 = 1"  # noqa: S608
        f"{where} LIMIT %s) c",
        [*params, want + 1],
    )
    counted = cur.fetchone()[0]
    page.total = min(counted, want)
    page.total_is_estimate = counted > want
    cur.execute(
        f"SELECT s.id FROM catalog_standard s WHERE 1 = 1{where} "  # noqa: S608
        "ORDER BY s.ident_key LIMIT %s OFFSET %s",
        [*params, page.limit, page.offset],
    )
    page.rows = fetch_rows(cur, [row[0] for row in cur.fetchall()])


def identifier_ids(
    cur, plan: Plan, where: str, params: list, want: int
) -> tuple[list[int], bool]:
    """The exact band (newest edition first), then the prefix band (by
    identifier), deduplicated, in one statement; and whether the prefix band
    had more than ``want``.

    With filters, each band takes its rows by identifier first and filters
    them after (a subquery with a LIMIT, which neither database flattens):
    left to itself the planner may prefer a filter column's index and read
    every row of that status or level for the few in the range.
    """
    parts: list[str] = []
    args: list = []
    cols = "s.id, s.year, s.ident_key, s.level, s.status"
    if plan.exact_keys:
        cond = f"s.ident_key IN ({marks(plan.exact_keys)})"
        args.extend(plan.exact_keys)
        if plan.base_key:
            cond = f"({cond} OR s.base_key = %s)"
            args.append(plan.base_key)
        parts.append(
            "SELECT 0, s.id, s.year, s.ident_key FROM (SELECT "  # noqa: S608
            f"{cols} FROM catalog_standard s WHERE {cond} LIMIT %s) s "
            f"WHERE 1 = 1{where}"
        )
        args.extend([want, *params])
    if plan.prefix_key:
        # The range is exactly "starts with key" on the B-tree (binary order).
        key_range = "s.ident_key >= %s AND s.ident_key < %s"
        bounds = [plan.prefix_key, plan.prefix_key + "\uffff"]
        if where:
            parts.append(
                "SELECT 1, s.id, s.year, s.ident_key FROM (SELECT s.* FROM "  # noqa: S608
                f"(SELECT {cols} FROM catalog_standard s WHERE {key_range} "
                f"ORDER BY s.ident_key LIMIT %s) s WHERE 1 = 1{where} "
                "ORDER BY s.ident_key LIMIT %s) s"
            )
            args.extend([*bounds, WALK, *params, want + 1])
            # A row past the walk: it did not see the whole range.
            parts.append(
                "SELECT 2, 0, NULL, NULL FROM (SELECT s.id FROM catalog_standard s "  # noqa: S608
                f"WHERE {key_range} ORDER BY s.ident_key LIMIT 1 OFFSET %s) s"
            )
            args.extend([*bounds, WALK])
        else:
            parts.append(
                "SELECT 1, s.id, s.year, s.ident_key FROM (SELECT s.id, s.year, "  # noqa: S608
                f"s.ident_key FROM catalog_standard s WHERE {key_range} "
                "ORDER BY s.ident_key LIMIT %s) s"
            )
            args.extend([*bounds, want + 1])
    cur.execute(" UNION ALL ".join(parts), args)
    exact: list[tuple] = []
    prefix: list[tuple] = []
    walk_was_short = False
    for band, pk, year, key in cur.fetchall():
        if band == 0:
            exact.append((year is None, -(year or 0), key, pk))
        elif band == 1:
            prefix.append((key, pk))
        else:
            walk_was_short = True
    if walk_was_short and len(prefix) <= want:
        # Selective filters over a long range: the planner decides.
        cur.execute(
            f"SELECT s.ident_key, s.id FROM catalog_standard s WHERE {key_range}"  # noqa: S608
            f"{where} ORDER BY s.ident_key LIMIT %s",
            [*bounds, *params, want + 1],
        )
        prefix = cur.fetchall()
    # Ordered here: the order of a union's rows is the database's choice.
    # (Python orders strings as the binary collation does.)
    exact.sort()
    prefix.sort()
    ids = [row[-1] for row in exact] + [row[1] for row in prefix[:want]]
    return list(dict.fromkeys(ids)), len(prefix) > want


#: The rank of a full-text match, smaller first: the number of words in its
#: search document (less one). Each word is there once, so for a match of
#: every query word this is what orders bm25: the shorter the document, the
#: more of it the query covers. PostgreSQL counts the words of the stored
#: vector instead, in the same order (``PostgresBackend.match_ids``).
RANK = "LENGTH(s.search_text) - LENGTH(REPLACE(s.search_text, ' ', ''))"


def _ranked(cur, ids: list[int]) -> list[int]:
    """Full-text matches best first (ties newest first)."""
    cur.execute(
        f"SELECT s.id FROM catalog_standard s WHERE s.id IN ({marks(ids)}) "  # noqa: S608
        f"ORDER BY {RANK}, s.id DESC",
        ids,
    )
    return [row[0] for row in cur.fetchall()]


def marks(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def fetch_rows(
    cur, ids: list[int], *, ranked: bool = False, offset: int = 0, limit: int = 0
) -> list[dict]:
    """The result rows of ``ids`` with their ICS codes, in one statement: in
    the order given, or ranked (``_ranked``) and sliced."""
    if not ids:
        return []
    codes = (
        "STRING_AGG(i.icscode_id, ' ')"
        if connection.vendor == "postgresql"
        else "GROUP_CONCAT(i.icscode_id, ' ')"
    )
    select = (
        f"SELECT {ROW_COLUMNS}, (SELECT {codes} FROM {_ICS_TABLE} i WHERE "  # noqa: S608
        "i.standard_id = s.id) FROM "
    )
    if ranked:
        # The codes of the page's rows only, not of every row ranked.
        cur.execute(
            f"{select}(SELECT {ROW_COLUMNS}, {RANK} AS r FROM catalog_standard s "  # noqa: S608
            f"WHERE s.id IN ({marks(ids)}) ORDER BY r, s.id DESC LIMIT %s "
            "OFFSET %s) s ORDER BY s.r, s.id DESC",
            [*ids, limit, offset],
        )
    else:
        cur.execute(f"{select}catalog_standard s WHERE s.id IN ({marks(ids)})", ids)
    names = ROW_FIELDS
    rows = []
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=False))
        row["ics"] = sorted(values[-1].split(" ")) if values[-1] else []
        rows.append(row)
    if not ranked:
        position = {pk: n for n, pk in enumerate(ids)}
        rows.sort(key=lambda row: position[row["id"]])
    return rows


# --- backends --------------------------------------------------------------


class SqliteBackend:
    """FTS5 external-content table ``catalog_standard_fts`` (rowid = standard
    id) over two columns: the document and the status (migration 0005)."""

    @staticmethod
    def match_expression(tokens: list[str], status: str | None = None) -> str:
        words = safe_tokens(tokens)
        expr = "search_text : (" + " ".join(f'"{t}"' for t in words) + ")"
        if status:
            word = status if STATUS_WORD.fullmatch(status) else "none"
            expr += f' AND status : "{word}"'
        return expr

    def raw_match_ids(self, tokens: list[str], *, limit: int) -> list[int]:
        """The floor: the index alone, newest first."""
        with connection.cursor() as cur:
            cur.execute(
                "SELECT rowid FROM catalog_standard_fts WHERE catalog_standard_fts "
                "MATCH %s ORDER BY rowid DESC LIMIT %s",
                [self.match_expression(tokens), limit],
            )
            return [row[0] for row in cur.fetchall()]

    def match_ids(
        self,
        cur,
        tokens: list[str],
        *,
        words: int,
        status: str | None,
        cap: int,
        need: int,
    ) -> tuple[list[int], bool, bool]:
        """The newest ``cap`` matches (at least the ``need`` newest when there
        are more), straight down the index (the filters are words of the
        index too); whether there are more than ``cap``; whether they are
        ranked already (never here: the index has no rank)."""
        cur.execute(
            "SELECT rowid FROM catalog_standard_fts WHERE catalog_standard_fts "
            "MATCH %s ORDER BY rowid DESC LIMIT %s",
            [self.match_expression(tokens, status), cap + 1],
        )
        ids = [row[0] for row in cur.fetchall()]
        return ids[:cap], len(ids) > cap, False


class PostgresBackend:
    """GIN index on the generated column ``search_tsv``: the document's
    tokens and the status word as lexemes (migrations 0002, 0005 and 0007)."""

    VECTOR = "s.search_tsv"

    @staticmethod
    def ts_query(tokens: list[str], status: str | None = None) -> str:
        """The words as lexemes, all required: ``'food' & 'stinforce'``, cast
        with ``::tsquery`` (no parser: the document's lexemes are its tokens
        as they are, migration 0007)."""
        if status:
            tokens = [*tokens, status_token(status)]
        return " & ".join(_lexeme(t) for t in tokens)

    def raw_match_ids(self, tokens: list[str], *, limit: int) -> list[int]:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.id FROM catalog_standard s WHERE {self.VECTOR} @@ "  # noqa: S608
                "%s::tsquery ORDER BY s.id DESC LIMIT %s",
                [self.ts_query(tokens), limit],
            )
            return [row[0] for row in cur.fetchall()]

    @staticmethod
    def _newest(cur, tsq: str, want: int, rows: int = RECENT) -> list[int]:
        """Up to ``want`` of the newest matches among the ``rows`` newest rows,
        newest first, walking the primary key down (conditions are not pushed
        below the LIMIT, so the planner cannot sort every match instead:
        words that come together, 检定 & 规程, are estimated as rare and
        would be)."""
        cur.execute(
            "SELECT s.id FROM (SELECT t.id, t.search_tsv FROM "
            "catalog_standard t ORDER BY t.id DESC LIMIT %s) s WHERE "
            "s.search_tsv @@ %s::tsquery LIMIT %s",
            [rows, tsq, want],
        )
        return [row[0] for row in cur.fetchall()]

    def match_ids(
        self,
        cur,
        tokens: list[str],
        *,
        words: int,
        status: str | None,
        cap: int,
        need: int,
    ) -> tuple[list[int], bool, bool]:
        tsq = self.ts_query(tokens, status)
        recent: list[int] = []
        if words > 1 and len(tokens) == words and not status:
            # Several words: the index intersects their whole posting lists,
            # 20 ms for common words that come together (quality &
            # management, 试验 & 方法), whose newest matches are near. Walk
            # the newest rows for more than ``cap`` first (a few ms; not
            # with filters, which make the matches sparse).
            enough = max(cap + 1, need)
            recent = self._newest(cur, tsq, enough, RECENT_FIRST)
            if len(recent) >= enough:
                return recent[:need], True, False
        # Without an order PostgreSQL stops reading the GIN bitmap early: a
        # small match set comes back whole, ordered here. Its rows are read
        # anyway, so each brings its rank: the number of words in its vector
        # (each once, and the status word), RANK's order.
        cur.execute(
            "SELECT s.id, LENGTH(s.search_tsv) FROM catalog_standard s WHERE "  # noqa: S608
            f"{self.VECTOR} @@ %s::tsquery LIMIT %s",
            [tsq, cap + 1],
        )
        rows = cur.fetchall()
        if len(rows) <= cap:
            if len(rows) <= RANK_CAP:
                rows.sort(key=lambda row: (row[1], -row[0]))
                return [row[0] for row in rows], False, True
            return sorted((row[0] for row in rows), reverse=True), False, False
        # Many matches: only the newest the page needs, as the floor reads
        # them (the newest ``cap`` would walk ten times as many rows). The
        # planner estimates one word well; it multiplies the frequencies of
        # several, and words that come together (检定 & 规程) are walked for.
        ids = None
        if words > 1:
            # The walk above holds the newest matches of its rows; further
            # down, the planner's estimate (the product of the words'
            # frequencies) is too low: walk on.
            ids = recent if len(recent) >= need else self._newest(cur, tsq, need)
            ids = ids if len(ids) >= need else None
        if ids is None:
            cur.execute(
                f"SELECT s.id FROM catalog_standard s WHERE {self.VECTOR} @@ "  # noqa: S608
                "%s::tsquery ORDER BY s.id DESC LIMIT %s",
                [tsq, need],
            )
            ids = [row[0] for row in cur.fetchall()]
        return ids[:need], True, False


def _lexeme(token: str) -> str:
    """A token as a quoted tsquery lexeme (tokens hold no quotes or
    backslashes, but a lexeme must never be able to close its quotes)."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()


def raw_index_ids(q: str, *, limit: int = 20) -> list[int]:
    """The index alone, without ranking bands or filters."""
    tokens = query_tokens(q)
    if not tokens:
        return []
    return _backend().raw_match_ids(tokens, limit=limit)


def raw_index_rows(
    q: str,
    *,
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
    limit: int = 20,
) -> list[tuple]:
    """One SQL statement straight to the index for the same query and filters:
    an identifier-like query as a range on the ``ident_key`` B-tree, any
    other as a full-text match, newest first, returning the first ``limit``
    result rows. No ranking bands, no count, no framework: the floor the
    catalogue benchmark compares the search API with."""
    query = identifiers.normalise(q)
    key = identifiers.compact_key(query)
    by_identifier = bool(_identifier_like(key) and IDENTIFIER_HINT.search(query))
    with connection.cursor() as cur:
        if by_identifier:
            where, params = where_sql(
                *filter_sql(level=level, status=status, ics=ics, year=year)
            )
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard s WHERE s.ident_key >= %s "  # noqa: S608
                f"AND s.ident_key < %s{where} ORDER BY s.ident_key LIMIT %s",
                [key, key + "\uffff", *params, limit],
            )
            return cur.fetchall()
        tokens = query_tokens(query)
        if not tokens:
            return []
        # Every filter is a word of the index, as in the search service.
        tokens += facet_tokens(level=level, ics=ics, year=year)
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard s WHERE "  # noqa: S608
                f"{PostgresBackend.VECTOR} @@ %s::tsquery "
                "ORDER BY s.id DESC LIMIT %s",
                [PostgresBackend.ts_query(tokens, status), limit],
            )
        else:
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard_fts f JOIN "  # noqa: S608
                "catalog_standard s ON s.id = f.rowid WHERE catalog_standard_fts "
                "MATCH %s ORDER BY f.rowid DESC LIMIT %s",
                [SqliteBackend.match_expression(tokens, status), limit],
            )
        return cur.fetchall()


def listing_after(
    *,
    after: str = "",
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
    limit: int = 20,
) -> tuple[list[dict], str | None]:
    """The filtered catalogue without a query, by identifier, from the first
    ``ident_key`` after ``after`` (a keyset: every page costs the same however
    deep); returns the rows and the key to continue from (None at the end)."""
    where, params = where_sql(
        *filter_sql(level=level, status=status, ics=ics, year=year)
    )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.id, s.ident_key FROM catalog_standard s WHERE s.ident_key > %s"  # noqa: S608
            f"{where} ORDER BY s.ident_key LIMIT %s",
            [after, *params, limit + 1],
        )
        found = cur.fetchall()
        more = len(found) > limit
        found = found[:limit]
        rows = fetch_rows(cur, [pk for pk, _key in found])
    return rows, (found[-1][1] if more and found else None)
