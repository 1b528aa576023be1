"""Reads of organisations, designations and networks."""

from __future__ import annotations

import datetime

from django.db import connection
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
)
from qihub.organisations.names import query_tokens


def region_q(region: Region | str, field: str = "region") -> Q:
    """Records in a region or any division inside it (by GB/T 2260 prefix)."""
    code = region.code if isinstance(region, Region) else str(region)
    if code.endswith("0000"):
        prefix = code[:2]
    elif code.endswith("00"):
        prefix = code[:4]
    else:
        prefix = code
    return Q(**{f"{field}__code__startswith": prefix})


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
    sql, params = _match_sql(tokens)
    with connection.cursor() as cur:
        cur.execute(f"{sql} LIMIT %s", [*params, limit])
        return [row[0] for row in cur.fetchall()]


class _CountedQuerySet(QuerySet):
    """A broad name search whose number of matches the full-text index has
    already counted (up to ``COUNT_CAP``): ``count()`` answers that instead
    of looking every match up in the table again (95,000 matches: 30 ms
    against the index's 2.4 ms on SQLite). Any further filter forgets it."""

    _known_count: int | None = None
    #: True when the count is ``COUNT_CAP``, a lower bound.
    count_is_estimate: bool = False

    def _clone(self):
        clone = super()._clone()
        clone._known_count = self._known_count
        clone.count_is_estimate = self.count_is_estimate
        return clone

    def _filter_or_exclude(self, negate, args, kwargs):
        clone = super()._filter_or_exclude(negate, args, kwargs)
        clone._known_count = None
        clone.count_is_estimate = False
        return clone

    def none(self):
        clone = super().none()
        clone._known_count = None
        clone.count_is_estimate = False
        return clone

    def count(self) -> int:
        if self._known_count is not None and not self.query.is_sliced:
            return self._known_count
        return super().count()


def _match_count(tokens: list[str]) -> int:
    """The matches, counted by the index up to ``COUNT_CAP`` + 1."""
    sql, params = _match_sql(tokens)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM ({sql} LIMIT %s) AS matches",  # noqa: S608
            [*params, COUNT_CAP + 1],
        )
        return cur.fetchone()[0]


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
    hold, such as 公司) newest registered first."""
    qs = Organisation.objects.select_related("region")
    order: tuple[str, ...] = ("name_key", "id")
    broad: list[str] = []
    text = (q or "").strip()
    if text:
        code = "".join(text.split()).upper()
        if len(code) == 18 and code.isalnum():
            qs = qs.filter(credit_code=code)
        else:
            tokens = query_tokens(text)
            if not tokens:
                return qs.none()
            ids = name_match_ids(tokens, limit=MATCH_CAP + 1)
            if len(ids) <= MATCH_CAP:
                qs = qs.filter(pk__in=ids)
            else:
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
    if broad and not (kind or region or designation):
        # Every index row is an organisation (the triggers keep it so): the
        # index alone counts the matches.
        counted = _CountedQuerySet(model=Organisation, query=qs.query.chain())
        n = _match_count(broad)
        counted._known_count = min(n, COUNT_CAP)
        counted.count_is_estimate = n > COUNT_CAP
        return counted
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
