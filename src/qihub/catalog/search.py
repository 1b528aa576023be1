"""Catalogue search: one query box for identifiers and titles (zh and en).

The search document of a standard (``Standard.search_text``) is a space
separated list of lower-case tokens: jieba's search-mode segmentation of the
Chinese title (so 食品 finds 食品安全国家标准), the English words and the
identifier's letter and digit runs (so ``GB/T 1.1``, ``19001`` and ``ISO 9001``
match). Queries are segmented the same way.

Results are ranked in three bands: the exact identifier (dated, or every
edition of an undated one, in any spelling the identifier parser accepts),
then identifiers starting with the query (a range scan on the ``ident_key``
B-tree), then full-text matches, best first (bm25 / ts_rank) when there are
few, newest first when there are many. The full-text index is SQLite FTS5 on
the embedded default and a PostgreSQL GIN index in production (migration
0002); the backend is picked by ``connection.vendor`` and callers never see it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from qihub.catalog import identifiers
from qihub.catalog.models import Standard

#: How many matches each band counts at most (more when paging further);
#: beyond it the total is a lower bound and ``total_is_estimate`` is set.
MATCH_CAP = 200
#: Full-text matches are ranked by relevance only when there are at most this many.
RANK_CAP = 200
#: With filters, how many of the newest full-text matches are filtered before
#: the search starts from the filtered rows instead.
WALK = 5000
#: PostgreSQL: how many of the newest rows are tested one by one for a word
#: with many matches before the planner is left to sort them all.
RECENT = 20_000

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_CJK}]+|[0-9a-z]+")
_FRAGMENT_SPLIT = re.compile(f"[^{_CJK}0-9A-Za-z]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
#: A query with a digit or a slash that found identifiers needs no full-text band.
_IDENTIFIER_HINT = re.compile(r"[0-9/]")


def _jieba():
    import jieba

    if not jieba.dt.initialized:
        import logging

        jieba.setLogLevel(logging.ERROR)
        jieba.initialize()
    return jieba


@lru_cache(maxsize=200_000)
def _segment_for_search(fragment: str) -> tuple[str, ...]:
    """Search-mode segmentation of one title fragment (memoised: catalogue
    titles repeat phrases such as 食品安全国家标准 and 第1部分 heavily)."""
    jieba = _jieba()
    return tuple(_words(jieba.cut_for_search(fragment, HMM=False)))


@lru_cache(maxsize=50_000)
def _segment_query(fragment: str) -> tuple[str, ...]:
    jieba = _jieba()
    return tuple(_words(jieba.cut(fragment, HMM=False)))


def _words(pieces: Iterable[str]) -> Iterable[str]:
    for piece in pieces:
        yield from _WORD.findall(piece.lower())


@lru_cache(maxsize=100_000)
def _title_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a title (memoised whole: editions and parts share titles).

    Full-width letters and digits are folded first, as queries are."""
    return tuple(_text_tokens(unicodedata.normalize("NFKC", text)))


def _text_tokens(text: str, *, query: bool = False) -> list[str]:
    """Tokens of free text: Chinese runs through jieba, other words lower-cased."""
    tokens: list[str] = []
    segment = _segment_query if query else _segment_for_search
    for fragment in _FRAGMENT_SPLIT.split(text or ""):
        if not fragment:
            continue
        if _HAS_CJK.search(fragment):
            tokens.extend(segment(fragment))
        else:
            tokens.append(fragment.lower())
    return tokens


def _identifier_tokens(identifier: str, prefix: str | None = None) -> list[str]:
    # With a prefix the caller passes a parsed, already normalised identifier.
    norm = identifier if prefix is not None else identifiers.normalise(identifier)
    tokens = _WORD.findall(norm.lower())
    if prefix is None:
        parsed = identifiers.try_parse(identifier)
        prefix = parsed.prefix if parsed is not None else ""
    compact_prefix = "".join(_WORD.findall(prefix.lower()))
    if compact_prefix:
        tokens.append(compact_prefix)
    return tokens


_ICS_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{3}(?:\.[0-9]{2})?)?")


def ics_token(code: str) -> str:
    """The search-document token of an ICS code (67.040 -> ics67z040): one
    word for both full-text parsers, as the dots would split it."""
    if not _ICS_CODE.fullmatch(code):
        return "icsnone"  # no such code: matches nothing
    return "ics" + code.replace(".", "z")


def facet_tokens(
    *, level: str | None = None, ics: str | None = None, year: int | None = None
) -> list[str]:
    """The filter tokens a full-text query adds for level, ICS and year (the
    document carries them, so a filtered match is one index intersection
    instead of a check of every text match)."""
    tokens = []
    if level:
        tokens.append(f"lvl{level}".lower())
    code = (ics or "").strip().rstrip(".")
    if code:
        tokens.append(ics_token(code))
    if year:
        tokens.append(f"yr{int(year)}")
    return tokens


def search_text_for(
    *,
    identifier: str,
    title_zh: str,
    title_en: str,
    extra: str = "",
    prefix: str | None = None,
    ics: Iterable[str] = (),
    level: str = "",
    year: int | None = None,
) -> str:
    """The search document stored in ``Standard.search_text``.

    ``prefix`` (the parsed identifier's prefix) saves parsing the identifier
    again when the caller has it. The level, year and every ICS code with its
    parents are added as filter tokens (``facet_tokens``); the ICS codes are
    kept in step by a signal when a standard's codes change.
    """
    seen: dict[str, None] = {}
    for token in _identifier_tokens(identifier, prefix):
        seen.setdefault(token, None)
    for text in (title_zh, title_en, extra):
        if text:
            for token in _title_tokens(text):
                seen.setdefault(token, None)
    for code in sorted(ics):  # one document whatever order the codes came in
        parts = code.split(".")
        for n in range(1, len(parts) + 1):
            seen.setdefault(ics_token(".".join(parts[:n])), None)
    for token in facet_tokens(level=level, year=year):
        seen.setdefault(token, None)
    return " ".join(seen)


def query_tokens(q: str) -> list[str]:
    """The tokens a query must all match (deduplicated, in order)."""
    norm = identifiers.normalise(q)
    return list(dict.fromkeys(_text_tokens(norm, query=True)))


@dataclass
class SearchPage:
    """One page of search results."""

    query: str
    total: int
    results: list[Standard] = field(default_factory=list)
    total_is_estimate: bool = False
    offset: int = 0
    limit: int = 20


def _filters(
    *, level: str | None, status: str | None, ics: str | None, year: int | None
) -> Q:
    cond = Q()
    if level:
        cond &= Q(level=level)
    if status:
        cond &= Q(status=status)
    if year:
        cond &= Q(year=year)
    if ics:
        code = ics.strip().rstrip(".")
        # Correlated: one probe of the link table per candidate row, so small
        # candidate sets (exact, prefix, a page of a listing) stay cheap.
        cond &= Exists(
            Standard.ics.through.objects.filter(standard_id=OuterRef("pk")).filter(
                Q(icscode_id=code)
                | Q(icscode_id__gte=code + ".", icscode_id__lt=code + "/")
            )
        )
    return cond


_compact_key = identifiers.compact_key


def _band_ids(sql: str, params: list) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def _exact_ids(q: str, where: str, params: list, want: int) -> list[int]:
    """Every edition the query names exactly (raw SQL: these two bands run on
    each identifier query, and the ORM would cost more than the index)."""
    parsed = identifiers.try_parse(q)
    if parsed is None:
        return []  # every catalogue record has a parseable identifier
    keys = {_compact_key(q)}
    extra: list = []
    base = ""
    if parsed.dated:
        keys.add(parsed.key)
    else:
        base = " OR s.base_key = %s"
        extra = [parsed.base_key]
    marks = ", ".join(["%s"] * len(keys))
    return _band_ids(
        f"SELECT s.id FROM catalog_standard s WHERE (s.ident_key IN ({marks}){base})"  # noqa: S608
        f"{where} ORDER BY s.year DESC, s.ident_key LIMIT %s",
        [*keys, *extra, *params, want],
    )


def _looks_like_identifier(q: str) -> bool:
    key = _compact_key(q)
    return bool(key) and not _HAS_CJK.search(key) and key[0].isalnum()


def _prefix_ids(q: str, where: str, params: list, want: int) -> list[int]:
    # The range is exactly "starts with key" on the B-tree (binary order).
    key = _compact_key(q)
    return _band_ids(
        "SELECT s.id FROM catalog_standard s WHERE s.ident_key >= %s AND "  # noqa: S608
        f"s.ident_key < %s{where} ORDER BY s.ident_key LIMIT %s",
        [key, key + "\uffff", *params, want + 1],
    )


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
    query = identifiers.normalise(q)
    offset = max(0, int(offset))
    limit = max(0, int(limit))
    want = max(MATCH_CAP, offset + limit)
    if not query:
        base = Standard.objects.filter(
            _filters(level=level, status=status, ics=ics, year=year)
        )
        # Listing by identifier: the ident_key index gives the order, and the
        # count stops at the cap (a full count of a million rows is not free).
        counted = base.order_by().values("pk")[: want + 1].count()
        ids = list(
            base.order_by("ident_key").values_list("pk", flat=True)[
                offset : offset + limit
            ]
        )
        return SearchPage(
            query=query,
            total=min(counted, want),
            total_is_estimate=counted > want,
            results=_load(ids),
            offset=offset,
            limit=limit,
        )

    ordered: dict[int, None] = {}
    estimate = False
    where, band_params = _where_sql(
        *_filter_sql(level=level, status=status, ics=ics, year=year)
    )
    for pk in _exact_ids(query, where, band_params, want):
        ordered.setdefault(pk, None)
    if _looks_like_identifier(query):
        prefix_ids = _prefix_ids(query, where, band_params, want)
        if len(prefix_ids) > want:
            estimate = True
            prefix_ids = prefix_ids[:want]
        for pk in prefix_ids:
            ordered.setdefault(pk, None)
    tokens = query_tokens(query)
    if tokens and not (ordered and _IDENTIFIER_HINT.search(query)):
        # Level, ICS and year are tokens of the document; status (which
        # changes) stays a column condition.
        status_conds, status_params, _code = _filter_sql(
            level=None, status=status, ics=None, year=None
        )
        fts_ids, more = _backend().match_ids(
            tokens + facet_tokens(level=level, ics=ics, year=year),
            conds=status_conds,
            params=status_params,
            ics="",
            cap=want,
        )
        estimate = estimate or more
        for pk in fts_ids:
            ordered.setdefault(pk, None)
    ids = list(ordered)
    return SearchPage(
        query=query,
        total=len(ids),
        total_is_estimate=estimate,
        results=_load(ids[offset : offset + limit]),
        offset=offset,
        limit=limit,
    )


def _load(ids: list[int]) -> list[Standard]:
    if not ids:
        return []
    rows = (
        Standard.objects.filter(pk__in=ids)
        .select_related("ccs")
        .defer("search_text", "scope")  # long texts a result list never shows
        .in_bulk()
    )
    # The ICS codes as plain strings in one query (what a result shows), set
    # on each record as ``ics_codes`` instead of prefetching IcsCode objects.
    codes: dict[int, list[str]] = {pk: [] for pk in rows}
    through = Standard.ics.through._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT standard_id, icscode_id FROM {through} WHERE standard_id IN "  # noqa: S608
            f"({', '.join(['%s'] * len(rows))}) ORDER BY icscode_id",
            list(rows),
        )
        for pk, code in cur.fetchall():
            codes[pk].append(code)
    for pk, standard in rows.items():
        standard.ics_codes = codes[pk]
    return [rows[pk] for pk in ids if pk in rows]


# --- backends --------------------------------------------------------------


def _filter_sql(
    *, level: str | None, status: str | None, ics: str | None, year: int | None
) -> tuple[list[str], list, str]:
    """The filters as SQL on ``catalog_standard s`` (same meaning as
    ``_filters``): column conditions, their parameters, and the ICS code."""
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


def _where_sql(conds: list[str], params: list, ics_code: str) -> tuple[str, list]:
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
    through = Standard.ics.through._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {through} i WHERE i.standard_id = {id_sql} AND "  # noqa: S608
        "(i.icscode_id = %s OR (i.icscode_id >= %s AND i.icscode_id < %s)))",
        [code, code + ".", code + "/"],
    )


class _SqliteBackend:
    """FTS5 external-content table ``catalog_standard_fts`` (rowid = standard id)."""

    @staticmethod
    def match_expression(tokens: list[str]) -> str:
        return " ".join(f'"{t}"' for t in tokens)

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
        self, tokens: list[str], *, conds: list[str], params: list, ics: str, cap: int
    ) -> tuple[list[int], bool]:
        expr = self.match_expression(tokens)
        fts = (
            "SELECT rowid FROM catalog_standard_fts WHERE catalog_standard_fts MATCH %s"
        )
        with connection.cursor() as cur:
            if not conds:
                # Unfiltered, or ICS only: straight down the index, newest first
                # (the ICS check is one probe of the link table per match).
                where, extra = "", []
                if ics:
                    where, extra = _ics_exists("f.rowid", ics)
                    where = " AND " + where
                cur.execute(
                    "SELECT f.rowid, bm25(catalog_standard_fts) FROM "  # noqa: S608
                    "catalog_standard_fts f WHERE catalog_standard_fts MATCH %s"
                    f"{where} ORDER BY f.rowid DESC LIMIT %s",
                    [expr, *extra, cap + 1],
                )
                return self._ranked(cur.fetchall(), cap)
            all_conds, all_params = list(conds), list(params)
            if ics:
                sql, extra = _ics_exists("s.id", ics)
                all_conds.append(sql)
                all_params.extend(extra)
            where = " AND ".join(all_conds)
            # Walk the newest matches and filter them: enough when the filters
            # keep a fair share of the matches (the usual case).
            # (Filtered results are newest first: bm25 over the whole walk
            # would cost more than the filtering.)
            cur.execute(
                "SELECT m.id, 0 FROM (SELECT rowid AS id FROM catalog_standard_fts "  # noqa: S608
                "WHERE catalog_standard_fts MATCH %s ORDER BY rowid DESC LIMIT %s) m "
                f"JOIN catalog_standard s ON s.id = m.id WHERE {where} "
                "ORDER BY m.id DESC LIMIT %s",
                [expr, WALK, *all_params, cap + 1],
            )
            rows = cur.fetchall()
            if len(rows) > cap:
                return self._ranked(rows, cap)
            cur.execute(f"{fts} ORDER BY rowid DESC LIMIT 1 OFFSET %s", [expr, WALK])
            if cur.fetchone() is None:  # the walk saw every match
                return self._ranked(rows, cap)
            # Selective column filters over many matches: start from their index
            # and probe the (materialised) set of matches.
            cur.execute(
                f"SELECT s.id, 0 FROM catalog_standard s WHERE {where} AND s.id IN "  # noqa: S608
                f"({fts}) ORDER BY s.id DESC LIMIT %s",
                [*all_params, expr, cap + 1],
            )
            rows = cur.fetchall()
            more = len(rows) > cap
            return [r[0] for r in rows[:cap]], more

    @staticmethod
    def _ranked(rows: list, cap: int) -> tuple[list[int], bool]:
        more = len(rows) > cap
        rows = rows[:cap]
        if not more and len(rows) <= RANK_CAP:
            # bm25: lower is better; ties newest first.
            rows = sorted(rows, key=lambda r: (r[1], -r[0]))
        return [r[0] for r in rows], more


class _PostgresBackend:
    """GIN index on the generated column ``search_tsv`` (migration 0002)."""

    #: The stored ``to_tsvector('simple', search_text)`` (migration 0002).
    VECTOR = "s.search_tsv"

    @staticmethod
    def ts_query(tokens: list[str]) -> str:
        return " & ".join(tokens)

    def raw_match_ids(self, tokens: list[str], *, limit: int) -> list[int]:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.id FROM catalog_standard s WHERE {self.VECTOR} @@ "  # noqa: S608
                "to_tsquery('simple', %s) ORDER BY s.id DESC LIMIT %s",
                [self.ts_query(tokens), limit],
            )
            return [row[0] for row in cur.fetchall()]

    @staticmethod
    def _newest(cur, tsq: str, where: str, params: list, cap: int) -> list[int] | None:
        """The newest ``cap`` + 1 matches among the RECENT newest rows, walking
        the primary key down (conditions are not pushed below the LIMIT, so
        the planner cannot sort every match instead: words that come together,
        检定 & 规程, are estimated as rare and would be). None when fewer."""
        cur.execute(
            "SELECT s.id FROM (SELECT t.id, t.search_tsv FROM "  # noqa: S608
            "catalog_standard t ORDER BY t.id DESC LIMIT %s) s WHERE "
            f"s.search_tsv @@ to_tsquery('simple', %s){where} LIMIT %s",
            [RECENT, tsq, *params, cap + 1],
        )
        ids = [row[0] for row in cur.fetchall()]
        return ids if len(ids) > cap else None

    def match_ids(
        self, tokens: list[str], *, conds: list[str], params: list, ics: str, cap: int
    ) -> tuple[list[int], bool]:
        tsq = self.ts_query(tokens)
        where, params = _where_sql(conds, params, ics)
        match = f"SELECT s.id FROM catalog_standard s WHERE {self.VECTOR} @@ "  # noqa: S608
        with connection.cursor() as cur:
            # Without an order PostgreSQL stops reading the GIN bitmap
            # early: a small match set comes back whole, ordered here.
            cur.execute(
                f"{match}to_tsquery('simple', %s){where} LIMIT %s",
                [tsq, *params, cap + 1],
            )
            ids = sorted((row[0] for row in cur.fetchall()), reverse=True)
            if len(ids) > cap:
                # Many matches: the newest first. The planner estimates one
                # word well; it multiplies the frequencies of several, and
                # words that come together are then walked for. With a
                # status condition as well its estimate is the better guide.
                walk = len(tokens) > 1 and not conds
                ids = self._newest(cur, tsq, where, params, cap) if walk else None
                if ids is None:
                    # Sparse among the newest rows: the planner sorts them.
                    cur.execute(
                        f"{match}to_tsquery('simple', %s){where} "
                        "ORDER BY s.id DESC LIMIT %s",
                        [tsq, *params, cap + 1],
                    )
                    ids = [row[0] for row in cur.fetchall()]
            more = len(ids) > cap
            ids = ids[:cap]
            if not more and 1 < len(ids) <= RANK_CAP:
                cur.execute(
                    "SELECT s.id FROM catalog_standard s WHERE s.id = ANY(%s) ORDER "  # noqa: S608
                    f"BY ts_rank({self.VECTOR}, to_tsquery('simple', %s)) DESC, "
                    "s.id DESC",
                    [ids, tsq],
                )
                ids = [row[0] for row in cur.fetchall()]
        return ids, more


def _backend() -> _SqliteBackend | _PostgresBackend:
    if connection.vendor == "postgresql":
        return _PostgresBackend()
    return _SqliteBackend()


def raw_index_ids(q: str, *, limit: int = 20) -> list[int]:
    """The index alone, without ranking bands or filters."""
    tokens = query_tokens(q)
    if not tokens:
        return []
    return _backend().raw_match_ids(tokens, limit=limit)


#: The columns a search result shows (the API's StandardOut, ICS aside).
ROW_COLUMNS = (
    "s.id, s.identifier, s.title_zh, s.title_en, s.level, s.nature, s.status, "
    "s.year, s.issued_on, s.implemented_on, s.withdrawn_on, s.ccs_id"
)


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
    by_identifier = bool(
        _looks_like_identifier(query) and _IDENTIFIER_HINT.search(query)
    )
    # A text query has level, ICS and year as the document's tokens, as the
    # search service does; status is a column either way.
    if by_identifier:
        filters = _filter_sql(level=level, status=status, ics=ics, year=year)
    else:
        filters = _filter_sql(level=None, status=status, ics=None, year=None)
    where, params = _where_sql(*filters)
    with connection.cursor() as cur:
        if by_identifier:
            key = _compact_key(query)
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard s WHERE s.ident_key >= %s "  # noqa: S608
                f"AND s.ident_key < %s{where} ORDER BY s.ident_key LIMIT %s",
                [key, key + "\uffff", *params, limit],
            )
            return cur.fetchall()
        tokens = query_tokens(query)
        if not tokens:
            return []
        tokens += facet_tokens(level=level, ics=ics, year=year)
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard s WHERE "  # noqa: S608
                f"{_PostgresBackend.VECTOR} @@ to_tsquery('simple', %s){where} "
                "ORDER BY s.id DESC LIMIT %s",
                [_PostgresBackend.ts_query(tokens), *params, limit],
            )
        else:
            cur.execute(
                f"SELECT {ROW_COLUMNS} FROM catalog_standard_fts f JOIN "  # noqa: S608
                "catalog_standard s ON s.id = f.rowid WHERE catalog_standard_fts "
                f"MATCH %s{where} ORDER BY f.rowid DESC LIMIT %s",
                [_SqliteBackend.match_expression(tokens), *params, limit],
            )
        return cur.fetchall()
