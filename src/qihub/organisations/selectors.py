"""Reads of organisations, designations and networks."""

from __future__ import annotations

import contextlib
import datetime
import time

from django.db import connection, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from qihub.organisations.models import (
    Designation,
    Membership,
    Network,
    NetworkMember,
    Organisation,
    Region,
    SecretariatTerm,
    region_prefix,
)
from qihub.organisations.names import query_runs


def region_code_q(region: Region | str, field: str = "region_id") -> Q:
    """Records whose region code (``field``) is in a region or a division
    inside it, as a range on the code: an index range on both databases,
    where SQLite's case-insensitive LIKE of ``startswith`` reads every row.
    The upper bound is the next prefix of the same length (``12`` to ``13``),
    digits only, because collations may ignore punctuation."""
    code = region.code if isinstance(region, Region) else str(region)
    prefix = region_prefix(code)
    if not prefix:
        return Q()
    if not prefix.isascii() or not prefix.isdigit():
        return Q(**{f"{field}__startswith": prefix})
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) > len(prefix):  # all nines: nothing follows
        return Q(**{f"{field}__gte": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def region_q(region: Region | str, field: str = "region") -> Q:
    """Records in a region or any division inside it (by GB/T 2260 prefix)."""
    code = region.code if isinstance(region, Region) else str(region)
    return Q(**{f"{field}__code__startswith": region_prefix(code)})


#: A name search collects at most this many matches and lists them by name;
#: a broader one (a word most names hold) lists the newest registered first.
MATCH_CAP = 1000

#: A broad match is counted up to this many; beyond, the count is a lower
#: bound (``count_is_estimate``): counting 95,000 matches visits 95,000 rows.
COUNT_CAP = 10_000

#: PostgreSQL: the name tokens as lexemes, exactly as written (the GIN index
#: of migration 0003 is on this expression). A stored generated column was
#: tried instead: it doubled the table (1.3 GB at 1M names) and made every
#: search slower from the heap reads.
_PG_VECTOR = (
    "array_to_tsvector(array_remove(string_to_array("
    "organisations_organisation.search_text, ' '), ''))"
)


def _fts_query(tokens: list[str]) -> str:
    """Every token required, each quoted (FTS5 syntax never reaches a user)."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)


def _ts_query(tokens: list[str]) -> str:
    return " & ".join(
        "'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens
    )


def _match_filter(tokens: list[str]):
    """The match as a condition on the organisations table: on PostgreSQL
    the indexed expression itself (the planner sorts the index's matches
    instead of joining them to the table again), on SQLite membership of
    the FTS5 table's matches."""
    if connection.vendor == "postgresql":
        return RawSQL(  # noqa: S611 (fixed SQL, the query as a parameter)
            f"{_PG_VECTOR} @@ %s::tsquery", [_ts_query(tokens)], BooleanField()
        )
    sql, params = _match_sql(tokens)
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 (fixed SQL)


def _match_sql(tokens: list[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return (
            f"SELECT id FROM organisations_organisation WHERE {_PG_VECTOR} "  # noqa: S608
            "@@ %s::tsquery",
            [_ts_query(tokens)],
        )
    return (
        "SELECT rowid FROM organisations_organisation_fts "
        "WHERE organisations_organisation_fts MATCH %s",
        [_fts_query(tokens)],
    )


def name_match_ids(tokens: list[str], *, limit: int) -> list[int]:
    """Ids of organisations whose name tokens hold every token, from the
    full-text index, at most ``limit`` of them (no order: the index stops
    reading early)."""
    return [row[0] for row in _name_match_rows(tokens, limit=limit)]


def _name_match_rows(
    tokens: list[str], *, limit: int, many: bool = False
) -> list[tuple]:
    """``name_match_ids`` with each match's name key, kind and region code
    (PostgreSQL reads the row for the id anyway; SQLite looks the index's
    rowids up)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id, name_key, kind, region_id FROM organisations_organisation "  # noqa: S608
            f"WHERE {_PG_VECTOR} @@ %s::tsquery LIMIT %s"
        )
        # Many matches expected: the planner would test rows one by one.
        with _bitmaps_only() if many else connection.cursor() as cur:
            cur.execute(sql, [_ts_query(tokens), limit])
            return cur.fetchall()
    match, params = _match_sql(tokens)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT o.id, o.name_key, o.kind, o.region_id FROM organisations_organisation o "  # noqa: S608
            f"WHERE o.id IN ({match} LIMIT %s)",
            [*params, limit],
        )
        return cur.fetchall()


@contextlib.contextmanager
def _bitmaps_only():
    """PostgreSQL: a cursor whose queries read indexes as bitmaps only. The
    planner costs the search expression as cheap and would rather test it
    row by row (16 us a row: 0.5 s for a prefix held by 6% of the names)
    than read the GIN index."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        yield cur
        # Inside an outer transaction SET LOCAL would outlive this block.
        cur.execute("RESET enable_indexscan; RESET enable_seqscan")


#: PostgreSQL: how long the lexeme frequencies of the index's statistics
#: are kept by a process before they are read again (ANALYZE renews them).
_FREQ_SECONDS = 600
_freqs: dict = {"at": 0.0, "table": None}


def _statistics() -> tuple[dict[str, float], float, float]:
    """PostgreSQL: the share of organisations whose name holds each common
    token, from ANALYZE's statistics of the search index, the share assumed
    for a token not among them, and the organisations ANALYZE counted."""
    now = time.monotonic()
    if _freqs["table"] is None or now - _freqs["at"] > _FREQ_SECONDS:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT u.e, u.f FROM pg_stats s, unnest("
                "s.most_common_elems::text::text[], s.most_common_elem_freqs"
                ") AS u(e, f) WHERE s.tablename = 'organisations_search_gin' "
                "AND u.e IS NOT NULL"
            )
            table = dict(cur.fetchall())
            cur.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s",
                ["organisations_organisation"],
            )
            row = cur.fetchone()
        _freqs.update(table=table, rows=max(0.0, row[0]) if row else 0.0, at=now)
    table = _freqs["table"]
    rare = min(table.values(), default=0.001) / 2
    return table, rare, _freqs["rows"]


def _estimated_matches(runs: list[list[str]]) -> tuple[float, int]:
    """PostgreSQL: the share of names matching every run of a query, and how
    many organisations that is. The pairs of one Chinese word come together,
    so a word matches about as often as its rarest pair; separate words are
    taken as independent (the planner's own estimate multiplies every pair
    and is 35 times too low for 杭州 检测技术)."""
    table, rare, rows = _statistics()
    share = 1.0
    for run in runs:
        share *= min(table.get(t, rare) for t in run)
    return share, round(share * rows)


#: PostgreSQL: how many of the newest rows a broad search tests one by one
#: (by their tokens' text, about 1 us a token) before it asks the index.
RECENT = 20_000


def _has_tokens_sql(tokens: list[str]) -> tuple[str, list[str]]:
    """A condition true when a row's ``search_text`` holds every token: the
    same match as the index's, tested on the text (a tenth of the cost of
    building the row's vector)."""
    sql = " AND ".join("strpos(' ' || search_text || ' ', %s) > 0" for _token in tokens)
    return sql, [f" {t} " for t in tokens]


def _pg_newest_ids(tokens: list[str], *, need: int, share: float) -> list[int]:
    """PostgreSQL: the ``need`` newest matches of a broad search, newest
    first. A GIN index gives its matches in no order, and sorting them all
    reads every matching row (100,000 for 杭州). So the newest rows are
    walked first, as many as should hold ``need`` matches by the estimated
    share (up to ``RECENT``); when they don't, the index is asked for the
    matches among the newest ids only (its bitmap and the primary key's,
    ANDed: only the window's matches are read), in a window widened
    eightfold until it holds ``need`` of them or every row."""
    has, has_params = _has_tokens_sql(tokens)
    walk = min(RECENT, max(need, int(need * 3 / max(share, 1e-9))))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT s.id FROM (SELECT id, search_text FROM "  # noqa: S608
            "organisations_organisation ORDER BY id DESC LIMIT %s) s "
            f"WHERE {has} LIMIT %s",
            [walk, *has_params, need],
        )
        ids = [row[0] for row in cur.fetchall()]
        if len(ids) >= need:
            return ids
        cur.execute("SELECT MAX(id) FROM organisations_organisation")
        top = cur.fetchone()[0] or 0
    span = max(walk * 8, int(need * 8 / max(share, 1e-9)))
    tsq = _ts_query(tokens)
    while True:
        low = top - span
        with _bitmaps_only() as cur:
            cur.execute(
                f"SELECT id FROM organisations_organisation WHERE {_PG_VECTOR} "  # noqa: S608
                "@@ %s::tsquery AND id > %s ORDER BY id DESC LIMIT %s",
                [tsq, low, need],
            )
            ids = [row[0] for row in cur.fetchall()]
        if len(ids) >= need or low <= 0:
            return ids
        span *= 8


#: PostgreSQL: a search whose estimated matches (by the index's statistics)
#: are this many is taken as broad without asking the index first.
BROAD_ESTIMATE = 5 * MATCH_CAP


class _CountedQuerySet(QuerySet):
    """A name search whose matches the full-text index has already counted
    (up to ``COUNT_CAP``), and may already have ordered: ``count()`` answers
    that instead of looking every match up in the table again (95,000
    matches: 30 ms against the index's 2.4 ms on SQLite), and a page
    (``qs[a:b]``) is the rows of its ids. Any further filter or order
    forgets both."""

    _known_count: int | None = None
    #: True when the count is ``COUNT_CAP``, a lower bound, or an estimate.
    count_is_estimate: bool = False
    #: Every match, in the search's order (up to ``MATCH_CAP`` of them).
    _ordered_ids: list[int] | None = None
    #: PostgreSQL, a broad match: its tokens and their estimated share.
    _newest: tuple[list[str], float] | None = None

    def _clone(self):
        clone = super()._clone()
        clone._known_count = self._known_count
        clone.count_is_estimate = self.count_is_estimate
        clone._ordered_ids = self._ordered_ids
        clone._newest = self._newest
        return clone

    def _forget(self):
        self._known_count = None
        self.count_is_estimate = False
        self._ordered_ids = None
        self._newest = None
        return self

    def _filter_or_exclude(self, negate, args, kwargs):
        return super()._filter_or_exclude(negate, args, kwargs)._forget()

    def order_by(self, *field_names):
        return super().order_by(*field_names)._forget()

    def none(self):
        return super().none()._forget()

    def count(self) -> int:
        if self._known_count is not None and not self.query.is_sliced:
            return self._known_count
        return super().count()

    def __getitem__(self, k):
        plain = (
            isinstance(k, slice)
            and k.step is None
            and k.stop is not None
            and (k.start or 0) >= 0
            and k.stop >= 0
            and self._result_cache is None
            and self._fields is None
            and not self.query.is_sliced
            and (self._ordered_ids is not None or self._newest is not None)
        )
        if not plain:
            return super().__getitem__(k)
        start = k.start or 0
        if self._ordered_ids is not None:
            ids = self._ordered_ids[start : k.stop]
            order: tuple[str, ...] = ("name_key", "id")
        else:
            tokens, share = self._newest
            ids = _pg_newest_ids(tokens, need=k.stop, share=share)[start:]
            order = ("-id",)
        return (
            Organisation.objects.select_related("region")
            .filter(pk__in=ids)
            .order_by(*order)
        )


def _match_count(tokens: list[str]) -> int:
    """The matches, counted by the index up to ``COUNT_CAP`` + 1."""
    sql, params = _match_sql(tokens)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM ({sql} LIMIT %s) AS matches",  # noqa: S608
            [*params, COUNT_CAP + 1],
        )
        return cur.fetchone()[0]


def _counted(qs: QuerySet, count: int, *, estimate: bool = False) -> _CountedQuerySet:
    counted = _CountedQuerySet(model=Organisation, query=qs.query.chain())
    counted._known_count = min(count, COUNT_CAP)
    counted.count_is_estimate = estimate or count > COUNT_CAP
    return counted


def _with_ids(qs: QuerySet, ids: list[int]) -> QuerySet:
    """``qs.filter(pk__in=ids)`` without preparing a thousand parameters for
    a query that is only run if the search is iterated whole (its pages are
    fetched by their own ids)."""
    if not ids:
        return qs.none()
    listed = ",".join(str(int(pk)) for pk in ids)
    return qs.filter(
        RawSQL(  # noqa: S611 (integers from the database)
            f"organisations_organisation.id IN ({listed})", [], BooleanField()
        )
    )


def _few_ordered(rows, kind, region, designation, on) -> list[int]:
    """The ids of a few matches (``_name_match_rows``) that pass the
    filters, by name."""
    if kind:
        rows = [row for row in rows if row[2] == kind]
    if region:
        prefix = region_prefix(region)
        rows = [row for row in rows if (row[3] or "").startswith(prefix)]
    if designation and rows:
        held = set(
            designations_valid_on(on or timezone.localdate())
            .filter(kind=designation, organisation_id__in=[row[0] for row in rows])
            .values_list("organisation_id", flat=True)
        )
        rows = [row for row in rows if row[0] in held]
    rows.sort(key=lambda row: (row[1], row[0]))
    return [row[0] for row in rows]


def organisation_search(
    *,
    q: str = "",
    kind: str = "",
    region: str = "",
    designation: str = "",
    on: datetime.date | None = None,
) -> QuerySet[Organisation]:
    """Organisations whose names (current or former) hold every fragment of
    ``q`` or whose credit code is ``q``, filtered by kind, region (with the
    divisions inside it) and a designation valid on ``on`` (today).

    Names are found through the full-text index (migration 0003): Chinese
    fragments by their characters and pairs, Latin words by prefix. Up to
    ``MATCH_CAP`` matches are listed by name; more (a fragment most names
    hold, such as 公司) newest registered first, counted up to ``COUNT_CAP``
    on SQLite and estimated from the index's statistics on PostgreSQL
    (``count_is_estimate``)."""
    qs = Organisation.objects.select_related("region")
    order: tuple[str, ...] = ("name_key", "id")
    broad: list[str] = []
    runs: list[list[str]] = []
    text = (q or "").strip()
    filtered = bool(kind or region or designation)
    if text:
        code = "".join(text.split()).upper()
        if len(code) == 18 and code.isalnum():
            qs = qs.filter(credit_code=code)
        else:
            runs = query_runs(text)
            tokens = list(dict.fromkeys(t for run in runs for t in run))
            if not tokens:
                return qs.none()
            share, estimate = 1.0, 0
            if connection.vendor == "postgresql":
                share, estimate = _estimated_matches(runs)
                if estimate >= BROAD_ESTIMATE and not filtered:
                    # Surely broad: no need to ask the index for MATCH_CAP
                    # of the matches first (it would read every posting of
                    # the words, 30 ms for 绵阳 检测技术, twice).
                    counted = _counted(
                        qs.filter(_match_filter(tokens)).order_by("-id"),
                        estimate,
                        estimate=True,
                    )
                    counted._newest = (tokens, share)
                    return counted
            rows = _name_match_rows(
                tokens, limit=MATCH_CAP + 1, many=estimate > MATCH_CAP // 5
            )
            if len(rows) <= MATCH_CAP:
                # Every match is known with its name, kind and region: the
                # filters, the count and the order apply here.
                ordered = _few_ordered(rows, kind, region, designation, on)
                counted = _counted(
                    _with_ids(qs, ordered).order_by("name_key", "id"), len(ordered)
                )
                counted._ordered_ids = ordered
                return counted
            qs = qs.filter(_match_filter(tokens))
            order = ("-id",)
            broad = tokens
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_q(region))
    if designation:
        day = on or timezone.localdate()
        qs = qs.filter(
            pk__in=designations_valid_on(day)
            .filter(kind=designation)
            .values("organisation_id")
        )
    qs = qs.order_by(*order)
    if filtered:
        return qs
    if broad and connection.vendor == "postgresql":
        # Counting reads every match's row (10,000 rows: 30 ms): up to
        # twice MATCH_CAP estimated matches they are counted, beyond that
        # the index's statistics give the estimate.
        if estimate <= 2 * MATCH_CAP:
            counted = _counted(qs, _match_count(broad))
        else:
            counted = _counted(qs, max(MATCH_CAP + 1, estimate), estimate=True)
        counted._newest = (broad, share)
        return counted
    if broad:
        # Every index row is an organisation (the triggers keep it so): the
        # index alone counts the matches.
        return _counted(qs, _match_count(broad))
    return qs


def designations_valid_on(day: datetime.date) -> QuerySet[Designation]:
    """Designations that count on ``day`` (an expired one stops on its day)."""
    return Designation.objects.filter(valid_from__lte=day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day)
    )


def organisation_designations(organisation: Organisation) -> QuerySet[Designation]:
    return organisation.designations.select_related(
        "issuing_authority", "network"
    ).order_by("-valid_from", "id")


def organisations_of_user(user) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name_key")


def organisation_users(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username")


def members_on(
    network: Network, day: datetime.date | None = None
) -> QuerySet[NetworkMember]:
    """The network's members on ``day`` (today)."""
    day = day or timezone.localdate()
    return (
        network.members.select_related("organisation", "organisation__region")
        .filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by("joined_on", "id")
    )


def secretariat_history(network: Network) -> QuerySet[SecretariatTerm]:
    return network.secretariat_terms.select_related("organisation").order_by(
        "starts_on"
    )


def secretariat_on(network: Network, day: datetime.date | None = None):
    day = day or timezone.localdate()
    return (
        network.secretariat_terms.select_related("organisation")
        .filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .order_by("-starts_on")
        .first()
    )


def network_memberships(organisation: Organisation) -> QuerySet[NetworkMember]:
    return organisation.network_memberships.select_related("network").order_by(
        "-joined_on"
    )


def networks_list() -> QuerySet[Network]:
    return Network.objects.select_related("region").order_by("name_zh", "id")


def former_members(
    network: Network, day: datetime.date | None = None
) -> QuerySet[NetworkMember]:
    """The network's members that had left by ``day`` (today), latest first."""
    day = day or timezone.localdate()
    return (
        network.members.select_related("organisation")
        .filter(left_on__lte=day)
        .order_by("-left_on", "-id")
    )


def standards_drafted_by(organisation: Organisation, *, limit: int = 50):
    """The newest standards the organisation drafted, each with the
    organisation's ``position`` among its drafting units (1 = first), in
    one query."""
    from django.db.models import OuterRef, Subquery

    from qihub.catalog.models import StandardDraftingUnit
    from qihub.catalog.selectors import standards_drafted

    position = StandardDraftingUnit.objects.filter(
        standard_id=OuterRef("pk"), organisation_id=organisation.pk
    ).values("position")[:1]
    return list(
        standards_drafted([organisation.pk]).annotate(position=Subquery(position))[
            :limit
        ]
    )
