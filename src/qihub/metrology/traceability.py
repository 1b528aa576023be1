"""Traceability: chains of calibrations up to a primary standard, their
validation, GUM propagation with GTC, and impact analysis.

A *link* is one calibration event: the calibrated item (instrument or
standard) and the reference standard used. A chain is valid on a day when it
is unbroken up to a national or international primary standard, every link's
certificate is valid that day (not expired, not revoked), each laboratory was
accredited for the quantity and range, and each reference standard's
uncertainty is small enough (test uncertainty ratio, TUR = (upper tolerance -
lower tolerance) / (2 U), at least ``METROLOGY_MIN_TUR``, 4 by default).
"""

import dataclasses
import datetime
import math

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from GTC import persistence, reporting, result, ureal

from qihub.metrology.models import (
    AccreditationScope,
    CalibrationEvent,
    Instrument,
    MeasurementStandard,
)
from qihub.metrology.units import UnitError, convert, convert_delta, linear

MAX_DEPTH = 10


def min_tur() -> float:
    """The configured minimum test uncertainty ratio (4:1 by default)."""
    return float(getattr(settings, "METROLOGY_MIN_TUR", 4.0))


class Code:
    """Codes of the rules a chain can break."""

    MISSING_LINK = "missing_link"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNACCREDITED = "unaccredited"
    TUR_TOO_LOW = "tur_too_low"
    NOT_PRIMARY = "not_primary"
    SUSPECT = "suspect"
    INACTIVE = "inactive"
    UNIT_MISMATCH = "unit_mismatch"


_MESSAGES = {
    Code.MISSING_LINK: gettext_noop(
        "No calibration traces %(item)s to a higher standard."
    ),
    Code.EXPIRED: gettext_noop("Certificate %(link)s expired on %(date)s."),
    Code.REVOKED: gettext_noop("Certificate %(link)s has been revoked."),
    Code.UNACCREDITED: gettext_noop(
        "Laboratory %(lab)s is not accredited for %(quantity)s over the range "
        "of %(item)s on %(date)s."
    ),
    Code.TUR_TOO_LOW: gettext_noop(
        "Test uncertainty ratio %(tur)s of %(link)s is below the required %(min)s:1."
    ),
    Code.NOT_PRIMARY: gettext_noop(
        "The chain of %(item)s does not end at a primary standard."
    ),
    Code.SUSPECT: gettext_noop("%(item)s is marked suspect: %(reason)s"),
    Code.INACTIVE: gettext_noop("Standard %(item)s is not active (%(status)s)."),
    Code.UNIT_MISMATCH: gettext_noop("Units of %(link)s cannot be compared: %(error)s"),
}


@dataclasses.dataclass
class ChainIssue:
    """One broken rule, the link where it breaks and a message in both languages."""

    code: str
    link: str
    message_en: str
    message_zh: str

    @property
    def message(self) -> str:
        lang = translation.get_language() or "en"
        return self.message_zh if lang.startswith("zh") else self.message_en


def _issue(code: str, link: str, **params) -> ChainIssue:
    texts = {}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            texts[lang] = gettext(_MESSAGES[code]) % {"link": link, **params}
    return ChainIssue(code, link, texts["en"], texts["zh-hans"])


@dataclasses.dataclass
class ChainLink:
    """One step of a chain: ``item`` calibrated by ``event`` against the
    event's reference standard."""

    item: Instrument | MeasurementStandard
    event: CalibrationEvent | None
    tur: float | None = None
    issues: list[ChainIssue] = dataclasses.field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.item.code)

    @property
    def is_standard(self) -> bool:
        return isinstance(self.item, MeasurementStandard)


@dataclasses.dataclass
class Chain:
    """An item's traceability chain on a day, top (primary) last."""

    on: datetime.date
    links: list[ChainLink]
    top: MeasurementStandard | None
    issues: list[ChainIssue]
    uncertainty: float | None = None
    coverage_factor: float | None = None
    budget: list[tuple[str, float]] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


# -- GUM propagation with GTC -------------------------------------------------


def primary_ureal(standard: MeasurementStandard):
    """The elementary uncertain number of a primary standard's realisation."""
    return ureal(
        0.0,
        standard.uncertainty / (standard.coverage_factor or 2.0),
        label=f"{standard.code}",
    )


def reference_ureal(standard: MeasurementStandard, on: datetime.date):
    """The uncertain correction of a reference standard on a day, loaded from
    its current certificate's GTC archive (so its budget is kept), or its own
    realisation when it is primary. None when nothing traces it."""
    if standard.is_primary:
        return primary_ureal(standard)
    event = (
        CalibrationEvent.objects.filter(
            calibrated_standard=standard, performed_on__lte=on
        )
        .exclude(gtc_archive="")
        .order_by("-performed_on", "-id")
        .first()
    )
    if event is None:
        return None
    return persistence.loads_json(event.gtc_archive).extract("result")


def propagate(
    *,
    parent,
    parent_unit: str,
    unit: str,
    measured_error: float,
    expanded_uncertainty: float,
    coverage_factor: float,
    label: str,
) -> tuple[str, float]:
    """Propagate a reference's uncertain correction through one calibration.

    The certificate states the combined expanded uncertainty ``U`` of the
    link; its own (local) component is what the reference does not already
    explain, so the budget of the result keeps every upstream component.
    Returns the GTC JSON archive and the combined standard uncertainty.
    """
    archive = persistence.Archive()
    u_stated = expanded_uncertainty / (coverage_factor or 2.0)
    if parent is None:
        # nothing upstream to load: the stated uncertainty is all local
        res = ureal(measured_error, u_stated, label=f"{label} (local)")
        archive.add(result=res)
    else:
        try:
            factor, _offset = linear(parent_unit, unit)
        except UnitError:
            factor = 1.0
        upstream = parent * factor
        u_local = math.sqrt(max(u_stated**2 - upstream.u**2, 0.0))
        own = ureal(measured_error, u_local, label=f"{label} (local)")
        res = result(upstream + own, label=label)
        archive.add(parent=parent, own=own, result=res)
    return persistence.dumps_json(archive), float(res.u)


def archive_budget(archive_json: str) -> list[tuple[str, float]]:
    """The uncertainty budget (label, standard uncertainty) of an archive."""
    if not archive_json:
        return []
    res = persistence.loads_json(archive_json).extract("result")
    return [(c.label, float(c.u)) for c in reporting.budget(res, trim=0)]


# -- validating one chain -----------------------------------------------------


def _latest_event(item, on: datetime.date) -> CalibrationEvent | None:
    field = "instrument" if isinstance(item, Instrument) else "calibrated_standard"
    return (
        CalibrationEvent.objects.select_related("laboratory", "reference_standard")
        .filter(**{field: item}, performed_on__lte=on)
        .order_by("-performed_on", "-id")
        .first()
    )


def _accredited(event: CalibrationEvent, item, on: datetime.date) -> bool:
    scopes = AccreditationScope.objects.filter(
        laboratory_id=event.laboratory_id,
        quantity=item.quantity,
        valid_until__gte=event.performed_on,
    )
    for scope in scopes:
        if item.range_min is None or item.range_max is None:
            return True
        try:
            lo = convert(scope.range_min, scope.unit, item.unit)
            hi = convert(scope.range_max, scope.unit, item.unit)
        except UnitError:
            continue
        if lo <= item.range_min and item.range_max <= hi:
            return True
    return False


def check_link(
    item, event: CalibrationEvent, on: datetime.date
) -> tuple[list[ChainIssue], float | None]:
    """The rules one link breaks on a day, and its TUR."""
    issues = []
    link = event.certificate_number
    if event.status == CalibrationEvent.Status.REVOKED:
        issues.append(_issue(Code.REVOKED, link))
    if event.valid_until < on:
        issues.append(_issue(Code.EXPIRED, link, date=event.valid_until.isoformat()))
    if not _accredited(event, item, on):
        issues.append(
            _issue(
                Code.UNACCREDITED,
                link,
                lab=event.laboratory.code,
                quantity=item.quantity,
                item=item.code,
                date=event.performed_on.isoformat(),
            )
        )
    tur = None
    ref = event.reference_standard
    if ref is not None and item.mpe:
        try:
            u_ref = convert_delta(ref.uncertainty, ref.unit, item.unit)
        except UnitError as exc:
            issues.append(_issue(Code.UNIT_MISMATCH, link, error=str(exc)))
        else:
            tur = (2 * item.mpe) / (2 * u_ref) if u_ref > 0 else math.inf
            if tur < min_tur():
                issues.append(
                    _issue(
                        Code.TUR_TOO_LOW,
                        link,
                        tur=f"{tur:.2f}",
                        min=f"{min_tur():g}",
                    )
                )
    return issues, tur


def chain_validate(item, *, on: datetime.date | None = None) -> Chain:
    """Walk an instrument's or a standard's chain up to a primary standard on
    ``on`` (today by default) and report every broken rule with its link."""
    on = on or timezone.localdate()
    links: list[ChainLink] = []
    issues: list[ChainIssue] = []
    seen: set[int] = set()
    current = item
    top = None
    for _depth in range(MAX_DEPTH):
        if isinstance(current, MeasurementStandard):
            if current.pk in seen:
                break
            seen.add(current.pk)
            if current.suspect:
                issues.append(
                    _issue(
                        Code.SUSPECT,
                        current.code,
                        item=current.code,
                        reason=current.suspect_reason,
                    )
                )
            if current.status != MeasurementStandard.Status.ACTIVE:
                issues.append(
                    _issue(
                        Code.INACTIVE,
                        current.code,
                        item=current.code,
                        status=current.get_status_display(),
                    )
                )
            if current.is_primary:
                top = current
                break
        elif current.suspect:
            issues.append(
                _issue(
                    Code.SUSPECT,
                    current.code,
                    item=current.code,
                    reason=current.suspect_reason,
                )
            )
        event = _latest_event(current, on)
        link = ChainLink(item=current, event=event)
        links.append(link)
        if event is None or event.reference_standard is None:
            link.issues.append(
                _issue(Code.MISSING_LINK, current.code, item=current.code)
            )
            issues.extend(link.issues)
            break
        link.issues, link.tur = check_link(current, event, on)
        issues.extend(link.issues)
        current = event.reference_standard
    if top is None and not any(i.code == Code.MISSING_LINK for i in issues):
        issues.append(_issue(Code.NOT_PRIMARY, item.code, item=item.code))
    chain = Chain(on=on, links=links, top=top, issues=issues)
    first = links[0].event if links else None
    if first is not None and first.gtc_archive:
        res = persistence.loads_json(first.gtc_archive).extract("result")
        chain.uncertainty = float(res.u)
        chain.coverage_factor = first.coverage_factor
        chain.budget = [(c.label, float(c.u)) for c in reporting.budget(res, trim=0)]
    return chain


# -- validating every chain at once -------------------------------------------


@dataclasses.dataclass
class BulkReport:
    """Counts of every instrument chain checked at once."""

    on: datetime.date
    instruments: int
    valid: int
    by_code: dict[str, int]
    standards_ok: int
    standards: int
    sample_failures: list[int]
    failed: list[int] = dataclasses.field(default_factory=list, repr=False)


def _standards_state(on: datetime.date) -> tuple[dict, dict]:
    """Each standard's own chain verdict (memoised walk): ``{id: code or ""}``
    and its row."""
    rows = {
        r[0]: r
        for r in MeasurementStandard.objects.values_list(
            "id",
            "is_primary",
            "status",
            "suspect",
            "unit",
            "uncertainty",
            "mpe",
            "quantity",
            "range_min",
            "range_max",
        )
    }
    latest: dict[int, tuple] = {}
    for ev in (
        CalibrationEvent.objects.filter(
            calibrated_standard__isnull=False, performed_on__lte=on
        )
        .order_by("calibrated_standard_id", "performed_on", "id")
        .values_list(
            "calibrated_standard_id",
            "reference_standard_id",
            "valid_until",
            "status",
            "laboratory_id",
        )
    ):
        latest[ev[0]] = ev
    scopes = _scope_table()
    verdict: dict[int, str] = {}

    def walk(sid: int, depth: int = 0) -> str:
        if sid in verdict:
            return verdict[sid]
        if depth > MAX_DEPTH:
            return Code.NOT_PRIMARY
        row = rows[sid]
        _id, primary, status, suspect, unit, _u, mpe, qty, rmin, rmax = row
        code = ""
        if suspect:
            code = Code.SUSPECT
        elif status != MeasurementStandard.Status.ACTIVE:
            code = Code.INACTIVE
        elif not primary:
            ev = latest.get(sid)
            if ev is None or ev[1] is None:
                code = Code.MISSING_LINK
            elif ev[3] == CalibrationEvent.Status.REVOKED:
                code = Code.REVOKED
            elif ev[2] < on:
                code = Code.EXPIRED
            elif not _scope_covers(scopes, ev[4], qty, unit, rmin, rmax):
                code = Code.UNACCREDITED
            else:
                ref = rows[ev[1]]
                tur = _tur(mpe, unit, ref[5], ref[4])
                if tur is not None and tur < min_tur():
                    code = Code.TUR_TOO_LOW
                else:
                    code = walk(ev[1], depth + 1)
        verdict[sid] = code
        return code

    for sid in rows:
        walk(sid)
    return verdict, rows


def _scope_table() -> dict:
    table: dict[tuple, list] = {}
    for lab, qty, lo, hi, unit, until in AccreditationScope.objects.values_list(
        "laboratory_id", "quantity", "range_min", "range_max", "unit", "valid_until"
    ):
        table.setdefault((lab, qty), []).append((lo, hi, unit, until))
    return table


def _scope_covers(scopes, lab, qty, unit, rmin, rmax) -> bool:
    for lo, hi, sunit, _until in scopes.get((lab, qty), ()):
        if rmin is None or rmax is None:
            return True
        try:
            a, b = linear(sunit, unit)
        except UnitError:
            continue
        if a * lo + b <= rmin and rmax <= a * hi + b:
            return True
    return False


def _tur(mpe, unit, u_ref, ref_unit) -> float | None:
    if not mpe:
        return None
    try:
        a, _b = linear(ref_unit, unit)
    except UnitError:
        return 0.0
    u = a * u_ref
    return math.inf if u <= 0 else mpe / u


def chains_validate_all(*, on: datetime.date | None = None) -> BulkReport:
    """Validate every instrument's chain set-based: each standard's sub-chain
    once (memoised), then each instrument's own current link with vectorised
    work over one query. Counts the first broken rule per instrument."""
    import numpy as np

    on = on or timezone.localdate()
    verdict, rows = _standards_state(on)
    scopes = _scope_table()
    inst = Instrument._meta.db_table
    ev = CalibrationEvent._meta.db_table
    sql = (
        f"SELECT i.id, i.mpe, i.unit, i.quantity, i.range_min, i.range_max, "  # noqa: S608
        f"e.reference_standard_id, e.laboratory_id, "
        f"CASE WHEN e.valid_until >= %s THEN 1 ELSE 0 END, "
        f"CASE WHEN e.status = %s THEN 1 ELSE 0 END, "
        f"CASE WHEN e.id IS NULL THEN 1 ELSE 0 END, i.suspect "
        f"FROM {inst} i LEFT JOIN {ev} e ON e.id = i.latest_event_id "
        f"WHERE e.performed_on IS NULL OR e.performed_on <= %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [on, CalibrationEvent.Status.REVOKED, on])
        data = cur.fetchall()
    n = len(data)
    if n == 0:
        return BulkReport(on, 0, 0, {}, 0, len(rows), [])
    ids, mpe, unit, qty, rmin, rmax, ref, lab, fresh, revoked, missing, suspect = zip(
        *data, strict=True
    )
    ids = np.fromiter(ids, dtype=np.int64, count=n)
    missing = np.fromiter(missing, dtype=bool, count=n) | np.array(
        [r is None for r in ref], dtype=bool
    )
    fresh = np.fromiter(fresh, dtype=bool, count=n)
    revoked = np.fromiter(revoked, dtype=bool, count=n)
    suspect = np.fromiter(suspect, dtype=bool, count=n)
    # TUR: U of the reference in the instrument's unit.
    factor_cache: dict[tuple, float] = {}

    def u_ref_in(ref_id, u):
        if ref_id is None:
            return np.nan
        r = rows[ref_id]
        key = (r[4], u)
        f = factor_cache.get(key)
        if f is None:
            try:
                f = linear(r[4], u)[0]
            except UnitError:
                f = np.nan
            factor_cache[key] = f
        return f * r[5]

    u_ref = np.fromiter(
        (u_ref_in(r, u) for r, u in zip(ref, unit, strict=True)), dtype=float, count=n
    )
    mpe_arr = np.array([m if m is not None else np.nan for m in mpe], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tur = mpe_arr / u_ref
    tur_low = ~np.isnan(tur) & (tur < min_tur())
    # Accreditation per distinct (lab, quantity, unit, range).
    acc_cache: dict[tuple, bool] = {}

    def covered(key):
        v = acc_cache.get(key)
        if v is None:
            v = _scope_covers(scopes, *key)
            acc_cache[key] = v
        return v

    unacc = np.fromiter(
        (
            not covered((lb, q, u, lo, hi)) if lb is not None else False
            for lb, q, u, lo, hi in zip(lab, qty, unit, rmin, rmax, strict=True)
        ),
        dtype=bool,
        count=n,
    )
    upstream = np.array(
        [verdict.get(r, "") if r is not None else "" for r in ref], dtype=object
    )
    up_bad = upstream != ""
    first = np.full(n, "", dtype=object)
    # The first broken rule, walking from the instrument upwards.
    for mask, code in (
        (missing, Code.MISSING_LINK),
        (suspect, Code.SUSPECT),
        (revoked, Code.REVOKED),
        (~fresh, Code.EXPIRED),
        (unacc, Code.UNACCREDITED),
        (tur_low, Code.TUR_TOO_LOW),
    ):
        first[(first == "") & mask] = code
    rest = (first == "") & up_bad
    first[rest] = upstream[rest]
    ok = first == ""
    codes, counts = np.unique(first[~ok].astype(str), return_counts=True)
    return BulkReport(
        on=on,
        instruments=n,
        valid=int(ok.sum()),
        by_code={str(c): int(k) for c, k in zip(codes, counts, strict=True)},
        standards_ok=sum(1 for v in verdict.values() if v == ""),
        standards=len(rows),
        sample_failures=[int(x) for x in ids[~ok][:20]],
        failed=ids[~ok].tolist(),
    )


# -- impact analysis ----------------------------------------------------------


def downstream_standards(standard_ids: set[int], since: datetime.date) -> set[int]:
    """Every standard whose current calibration descends from ``standard_ids``
    (calibrated on or after ``since``), found with an in-memory walk over each
    standard's latest calibration."""
    children: dict[int, list[int]] = {}
    latest: dict[int, tuple[int | None, datetime.date]] = {}
    for sid, ref, day in (
        CalibrationEvent.objects.filter(calibrated_standard__isnull=False)
        .order_by("calibrated_standard_id", "performed_on", "id")
        .values_list("calibrated_standard_id", "reference_standard_id", "performed_on")
    ):
        latest[sid] = (ref, day)
    for sid, (ref, day) in latest.items():
        if ref is not None and day >= since:
            children.setdefault(ref, []).append(sid)
    found = set(standard_ids)
    frontier = list(standard_ids)
    while frontier:
        nxt = []
        for sid in frontier:
            for child in children.get(sid, ()):
                if child not in found:
                    found.add(child)
                    nxt.append(child)
        frontier = nxt
    return found
