"""Scopes, the indicator type and its registry, reported values."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import get_language

from qihub.core.errors import ApplicationError
from qihub.organisations.models import Network, NetworkMember, Organisation, Region

# -- scopes --------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where an indicator is measured: ``key`` is the snapshot scope."""

    key: str
    region: Region | None = None
    network: Network | None = None
    organisation: Organisation | None = None

    @property
    def name(self) -> str:
        thing = self.region or self.network or self.organisation
        return getattr(thing, "name", "") or self.key

    def prefix(self) -> str:
        return self.region.prefix() if self.region else ""

    def org_ids(self, day: datetime.date) -> QuerySet:
        """The organisations of the scope on ``day``, as a subquery."""
        if self.region is not None:
            return Organisation.objects.filter(
                region__code__startswith=self.prefix()
            ).values("id")
        if self.network is not None:
            return (
                NetworkMember.objects.filter(network=self.network, joined_on__lte=day)
                .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
                .values("organisation_id")
            )
        return Organisation.objects.filter(pk=self.organisation.pk).values("id")

    def orgs_q(self, path: str, day: datetime.date) -> Q:
        return Q(**{f"{path}__in": self.org_ids(day)})

    def region_names(self) -> list[str]:
        """The names and codes a free-text region field may hold for the
        region and every division inside it (instruments and measurement
        standards record the area they serve by name)."""
        rows = Region.objects.filter(code__startswith=self.prefix()).values_list(
            "code", "name_zh"
        )
        out: set[str] = set()
        for code, name in rows:
            out.update((code, name))
            for suffix in ("朝鲜族自治州", "自治州", "地区", "盟"):
                if name.endswith(suffix) and len(name) > len(suffix):
                    out.add(name[: -len(suffix)] + "州")
        return sorted(out)


def scope_for(key: str) -> Scope:
    """The scope a snapshot key or an API parameter names; refused with the
    parameter named when it does not exist."""
    key = (key or "").strip()
    if key.startswith("network:"):
        network = Network.objects.filter(pk=_int(key[8:])).first()
        if network is None:
            raise ApplicationError(f"region: no network {key[8:]!r}.", status=404)
        return Scope(key=key, network=network)
    if key.startswith("org:"):
        org = Organisation.objects.filter(pk=_int(key[4:])).first()
        if org is None:
            raise ApplicationError(f"region: no organisation {key[4:]!r}.", status=404)
        return Scope(key=key, organisation=org)
    region = Region.objects.filter(code=key).first()
    if region is None:
        raise ApplicationError(
            f"region: {key!r} is not a GB/T 2260 region code known to qihub.",
            status=404,
        )
    return Scope(key=key, region=region)


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


# -- the registry ----------------------------------------------------------------

Compute = Callable[[Scope, datetime.date], float | None]
Many = Callable[[list[Scope], datetime.date], dict[str, float | None]]


@dataclass(frozen=True)
class Indicator:
    slug: str
    name_zh: str
    name_en: str
    unit: str
    definition: str
    compute: Compute | None = None  # None: reported by organisations
    #: Optional: the values for many region scopes at once, from grouped
    #: queries (one pass over a large table for 300 regions, not 300).
    many: Many | None = None

    @property
    def name(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_zh if lang.startswith("zh") else self.name_en

    @property
    def reported(self) -> bool:
        return self.compute is None

    def value(self, scope: Scope, day: datetime.date) -> float | None:
        if self.compute is None:
            return reported_value(self.slug, scope, day)
        return self.compute(scope, day)


REGISTRY: dict[str, Indicator] = {}


def values_for(
    slug: str, scopes: list[Scope], day: datetime.date
) -> dict[str, float | None]:
    """The indicator for every scope on ``day``: region scopes from grouped
    queries where the indicator has them, the others one by one."""
    ind = get(slug)
    out: dict[str, float | None] = {}
    regions = [sc for sc in scopes if sc.region is not None]
    if ind.many is not None and regions:
        out.update(ind.many(regions, day))
    for sc in scopes:
        if sc.key not in out:
            out[sc.key] = ind.value(sc, day)
    return out


def grouped(
    scopes: list[Scope], counts_for: Callable[[int], dict[str, float]]
) -> dict[str, float | None]:
    """Per-scope values from ``counts_for(L)``: counts keyed by the first L
    digits of the region code (one grouped query per prefix length)."""
    out: dict[str, float | None] = {}
    by_length: dict[int, list[Scope]] = {}
    for sc in scopes:
        by_length.setdefault(len(sc.prefix()), []).append(sc)
    for length, group in by_length.items():
        counts = counts_for(length)
        for sc in group:
            out[sc.key] = float(counts.get(sc.prefix(), 0))
    return out


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` (timestamps before it are "by the day")."""
    from django.utils import timezone

    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def register(indicator: Indicator) -> Indicator:
    REGISTRY[indicator.slug] = indicator
    return indicator


def get(slug: str, *, field: str = "indicator") -> Indicator:
    """The indicator with this slug; an unknown slug is refused by name."""
    try:
        return REGISTRY[slug]
    except KeyError:
        raise ApplicationError(
            f"{field}: there is no indicator {slug!r}; known are "
            + ", ".join(sorted(REGISTRY))
            + ".",
            details={field: "unknown indicator"},
        ) from None


def reported_value(slug: str, scope: Scope, day: datetime.date) -> float | None:
    """The approved values reported by the scope's organisations for periods
    ended by ``day``, summed; None when none was approved."""
    from qihub.programmes.models import ReportedValue

    total = ReportedValue.objects.filter(
        scope.orgs_q("organisation_id", day),
        indicator=slug,
        state=ReportedValue.State.APPROVED,
        period_end__lte=day,
    ).aggregate(v=Sum("value"))["v"]
    return total
