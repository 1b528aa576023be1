"""Reads for the metrology registry, coverage of compulsory verification."""

import dataclasses
import datetime
from collections.abc import Sequence

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qihub.catalog.identifiers import compact_key
from qihub.core.errors import NotFound
from qihub.metrology.models import (
    AccreditationScope,
    CalibrationEvent,
    CompulsoryItem,
    Instrument,
    Laboratory,
    MeasurementStandard,
    MetrologyEvent,
    ReferenceMaterial,
    TechnicalSpecification,
)
from qihub.organisations.models import Organisation
from qihub.organisations.profile import Metric

#: The target of the provincial plan: 90% of the instruments that require
#: compulsory verification hold a valid one.
COVERAGE_TARGET = 0.9


def standard_list(*, q: str = "", kind: str = "", region: str = "") -> QuerySet:
    """Standards by code or name, kind and the area they serve."""
    qs = MeasurementStandard.objects.select_related("holder__organisation")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region=region)
    return qs


def instrument_list(
    *,
    q: str = "",
    region: str = "",
    item_type: str = "",
    suspect: bool = False,
    retired: bool = False,
) -> QuerySet:
    """The instruments in use, or with ``retired`` those taken out of use."""
    qs = Instrument.objects.select_related("item_type", "latest_event", "owner").filter(
        retired_on__isnull=not retired
    )
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(serial__icontains=q)
            | Q(owner__name_zh__icontains=q)
            | Q(owner__name_en__icontains=q)
        )
    if region:
        qs = qs.filter(region=region)
    if item_type:
        qs = qs.filter(item_type__code=item_type)
    if suspect:
        qs = qs.filter(suspect=True)
    return qs


def certificate_list(*, q: str = "", status: str = "") -> QuerySet:
    qs = CalibrationEvent.objects.select_related(
        "instrument", "calibrated_standard", "reference_standard", "laboratory"
    )
    if q:
        qs = qs.filter(certificate_number__icontains=q)
    if status:
        qs = qs.filter(status=status)
    return qs


def certificate_get(pk: int) -> CalibrationEvent:
    return (
        CalibrationEvent.objects.select_related(
            "instrument",
            "calibrated_standard",
            "reference_standard",
            "laboratory",
            "specification__standard",
        )
        .prefetch_related("results")
        .get(pk=pk)
    )


def certificate_by_number(number: str) -> CalibrationEvent | None:
    return (
        CalibrationEvent.objects.select_related(
            "instrument", "calibrated_standard", "laboratory"
        )
        .filter(certificate_number=number)
        .first()
    )


def _by_code(qs: QuerySet, code: str, *, field: str, message: str):
    obj = qs.first() if code else None
    if obj is None:
        raise NotFound(message % {"code": code}, details={field: code})
    return obj


def laboratory_by_code(code: str, *, field: str = "laboratory") -> Laboratory:
    """The laboratory registered under ``code``; ``NotFound`` naming the code
    (``field`` names the input that held it, for a form to show the error)."""
    return _by_code(
        Laboratory.objects.select_related("organisation").filter(code=code),
        code,
        field=field,
        message=_("No laboratory is registered with the code %(code)s."),
    )


def organisation_by_id(pk: int, *, field: str) -> Organisation:
    """The organisation with this id, or ``NotFound`` naming the input."""
    found = Organisation.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(
            _("No organisation is registered with the id %(id)s.") % {"id": pk},
            details={field: pk},
        )
    return found


def standard_by_code(code: str, *, field: str) -> MeasurementStandard:
    """The measurement standard registered under ``code``, or ``NotFound``."""
    return _by_code(
        MeasurementStandard.objects.filter(code=code),
        code,
        field=field,
        message=_("No measurement standard is registered with the code %(code)s."),
    )


def instrument_by_code(code: str, *, field: str = "instrument") -> Instrument:
    """The instrument registered under its asset number, or ``NotFound``."""
    return _by_code(
        Instrument.objects.filter(code=code),
        code,
        field=field,
        message=_("No instrument is registered with the asset number %(code)s."),
    )


def compulsory_item_by_code(code: str, *, field: str = "item_type") -> CompulsoryItem:
    """The entry of the compulsory catalogue with this code (CV-04 ...)."""
    return _by_code(
        CompulsoryItem.objects.filter(code=code),
        code,
        field=field,
        message=_("The compulsory verification catalogue has no entry %(code)s."),
    )


def specification_by_identifier(
    identifier: str, *, field: str = "specification"
) -> TechnicalSpecification:
    """The registered JJG/JJF specification with this identifier, in any
    customary spelling."""
    return _by_code(
        TechnicalSpecification.objects.filter(
            standard__ident_key=compact_key(identifier)
        ).select_related("standard"),
        identifier,
        field=field,
        message=_("No specification %(code)s is registered."),
    )


def calibration_references(
    *,
    instrument: str = "",
    calibrated_standard: str = "",
    reference_standard: str = "",
    specification: str = "",
) -> dict:
    """What a calibration refers to by its codes, as ``calibration_record``
    arguments (None for an empty code); an unknown code raises ``NotFound``."""
    return {
        "instrument": instrument_by_code(instrument) if instrument else None,
        "calibrated_standard": standard_by_code(
            calibrated_standard, field="calibrated_standard"
        )
        if calibrated_standard
        else None,
        "reference_standard": standard_by_code(
            reference_standard, field="reference_standard"
        )
        if reference_standard
        else None,
        "specification": specification_by_identifier(specification)
        if specification
        else None,
    }


def suspects_for(certificate: CalibrationEvent) -> QuerySet:
    """Instruments marked suspect because of a revoked certificate."""
    return Instrument.objects.filter(suspect_cause=certificate).select_related(
        "item_type", "owner"
    )


def item_history(*, instrument=None, standard=None) -> QuerySet:
    qs = MetrologyEvent.objects.select_related("actor", "certificate")
    if instrument is not None:
        return qs.filter(instrument=instrument)
    return qs.filter(standard=standard)


def specification_list() -> QuerySet:
    return TechnicalSpecification.objects.select_related("standard")


def reference_material_list() -> QuerySet:
    return ReferenceMaterial.objects.select_related("standard").prefetch_related(
        "properties"
    )


def laboratory_list() -> QuerySet:
    return Laboratory.objects.select_related(
        "organisation", "organisation__region"
    ).prefetch_related("scopes")


def organisation_metrics(org_ids: Sequence[int]) -> list[Metric]:
    """The metrology counts of a set of organisations together (the profile
    provider of ``organisations.profile``): the laboratories they run, the
    accreditation scope entries of those labs valid today, the measurement
    standards the labs hold (not retired) and the instruments they own that
    are in use today. Each record has one lab or owner, so it counts once;
    four queries whatever the number of organisations."""
    ids = org_ids
    today = timezone.localdate()
    section = gettext_lazy("Metrology")
    labs = Laboratory.objects.filter(organisation_id__in=ids)
    return [
        Metric(
            key="laboratories",
            label=gettext_lazy("Laboratories"),
            value=labs.count(),
            section=section,
        ),
        Metric(
            key="accredited_scope",
            label=gettext_lazy("Accredited scope entries"),
            value=AccreditationScope.objects.filter(
                laboratory__organisation_id__in=ids, valid_until__gte=today
            ).count(),
            section=section,
        ),
        Metric(
            key="measurement_standards",
            label=gettext_lazy("Measurement standards held"),
            value=MeasurementStandard.objects.filter(holder__organisation_id__in=ids)
            .exclude(status=MeasurementStandard.Status.RETIRED)
            .count(),
            section=section,
        ),
        Metric(
            key="instruments",
            label=gettext_lazy("Instruments in use"),
            value=Instrument.objects.in_use_on(today).filter(owner_id__in=ids).count(),
            section=section,
        ),
    ]


def organisation_laboratories(organisation) -> QuerySet:
    """The laboratories an organisation runs, with their scope entries."""
    return (
        Laboratory.objects.filter(organisation=organisation)
        .prefetch_related("scopes")
        .order_by("code")
    )


def overview() -> dict:
    """Headline counts for the metrology overview page."""
    today = timezone.localdate()
    kinds = dict(
        MeasurementStandard.objects.values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return {
        "standards": sum(kinds.values()),
        "social_public": kinds.get(MeasurementStandard.Kind.SOCIAL_PUBLIC, 0),
        "specifications": TechnicalSpecification.objects.count(),
        "local_specifications": TechnicalSpecification.objects.filter(
            is_local=True
        ).count(),
        "reference_materials": ReferenceMaterial.objects.count(),
        # in use today, as the instrument list shows by default
        **Instrument.objects.in_use_on(today).aggregate(
            instruments=Count("id"), suspect=Count("id", filter=Q(suspect=True))
        ),
        "laboratories": Laboratory.objects.count(),
    }


# -- coverage of compulsory verification --------------------------------------


@dataclasses.dataclass
class CoverageRow:
    region: str
    item_type: str
    item_name: str
    required: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.required if self.required else None


def _covered_on(day: datetime.date):
    """A valid verification on ``day``: passed, performed by then, not yet
    due, and not revoked by then."""
    return Exists(
        CalibrationEvent.objects.filter(
            instrument=OuterRef("pk"),
            kind=CalibrationEvent.Kind.VERIFICATION,
            conformity=CalibrationEvent.Conformity.PASS,
            performed_on__lte=day,
            valid_until__gte=day,
        ).filter(Q(status=CalibrationEvent.Status.VALID) | Q(revoked_at__date__gt=day))
    )


def _required_on(day: datetime.date) -> QuerySet:
    """The instruments that require a verification on ``day``: registered by
    then and not yet taken out of use (from the day it is taken out of use an
    instrument leaves both counts; the coverage of earlier days is kept)."""
    return Instrument.objects.in_use_on(day).filter(
        requires_verification=True, registered_on__lte=day
    )


def coverage_rows(*, on: datetime.date) -> list[CoverageRow]:
    """Coverage per region and instrument type on a day: instruments with a
    valid verification / instruments that require one."""
    names = {c.code: c.name for c in CompulsoryItem.objects.all()}
    rows = (
        _required_on(on)
        .annotate(ok=_covered_on(on))
        .values("region", "item_type__code")
        .annotate(required=Count("id"), covered=Count("id", filter=Q(ok=True)))
        .order_by("region", "item_type__code")
    )
    return [
        CoverageRow(
            region=r["region"],
            item_type=r["item_type__code"] or "",
            item_name=names.get(r["item_type__code"], ""),
            required=r["required"],
            covered=r["covered"],
        )
        for r in rows
    ]


def coverage_total(
    *, on: datetime.date, region: str = "", item_type: str = ""
) -> CoverageRow:
    qs = _required_on(on)
    if region:
        qs = qs.filter(region=region)
    if item_type:
        qs = qs.filter(item_type__code=item_type)
    agg = qs.annotate(ok=_covered_on(on)).aggregate(
        required=Count("id"), covered=Count("id", filter=Q(ok=True))
    )
    return CoverageRow(region, item_type, "", agg["required"], agg["covered"])


def coverage_within(
    *, on: datetime.date, regions: Q | None = None, owners: Q | None = None
) -> CoverageRow:
    """Coverage on ``on`` over the instruments a filter selects (``regions``
    on the region of use, ``owners`` on the owner): the programmes app
    measures a province with its cities or a network's members this way."""
    qs = _required_on(on)
    if regions is not None:
        qs = qs.filter(regions)
    if owners is not None:
        qs = qs.filter(owners)
    agg = qs.annotate(ok=_covered_on(on)).aggregate(
        required=Count("id"), covered=Count("id", filter=Q(ok=True))
    )
    return CoverageRow("", "", "", agg["required"], agg["covered"])


def month_ends(*, until: datetime.date, months: int = 12) -> list[datetime.date]:
    """The last ``months`` month ends up to ``until`` (``until`` itself last)."""
    days = [until]
    first = until.replace(day=1)
    for _i in range(months - 1):
        last = first - datetime.timedelta(days=1)
        days.append(last)
        first = last.replace(day=1)
    return list(reversed(days))


def coverage_series(
    *, until: datetime.date, months: int = 12, region: str = "", item_type: str = ""
) -> list[tuple[datetime.date, CoverageRow]]:
    """Coverage at each month end: the time series drawn against the target."""
    return [
        (day, coverage_total(on=day, region=region, item_type=item_type))
        for day in month_ends(until=until, months=months)
    ]


def regions() -> list[str]:
    return list(
        Instrument.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )
