"""The programmes API: programmes, their targets with progress (from the
snapshots), an indicator computed live for a region or network on a date,
and reporting a value with its evidence."""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Form, Router, Schema, Status

from qihub.core.api_auth import write_auth
from qihub.organisations.models import Organisation
from qihub.programmes import indicators, selectors, services

router = Router(tags=["programmes"])
indicators_router = Router(tags=["programmes"])


def _programme(p) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "issuing_authority": p.issuing_authority.name,
        "issuing_authority_id": p.issuing_authority_id,
        "region": p.region_id,
        "network_id": p.network_id,
        "starts_on": p.starts_on.isoformat(),
        "ends_on": p.ends_on.isoformat(),
        "source_title": p.source_title,
        "source_url": p.source_url,
        "url": p.get_absolute_url(),
    }


@router.get("/")
def programme_list(request):
    """Every programme."""
    return [_programme(p) for p in selectors.programme_list()]


@router.get("/{int:pk}")
def programme_detail(request, pk: int, scope: str = ""):
    """A programme with its targets and their progress (value now, % of the
    target, trend per year, forecast date, status) from the snapshots, in
    the programme's scope or in ``scope`` (a sub-region code, ``org:<id>``)."""
    prog = selectors.programme_get(pk)
    if scope:
        indicators.scope_for(scope)
    rows = selectors.targets_progress(prog, scope=scope or None)
    return {
        **_programme(prog),
        "scope": scope or prog.scope_key,
        "targets": [
            {
                "id": r.target.pk,
                "indicator": r.target.indicator,
                "indicator_name": r.indicator.name,
                "reported": r.indicator.reported,
                "target_value": r.target.target_value,
                "unit": r.target.unit,
                "baseline_value": r.target.baseline_value,
                "baseline_on": r.target.baseline_on.isoformat()
                if r.target.baseline_on
                else None,
                "deadline": r.target.deadline.isoformat(),
                "progress": r.progress.as_dict(),
            }
            for r in rows
        ],
    }


@indicators_router.get("/")
def indicator_list(request):
    """The indicators programmes set targets on."""
    return [
        {
            "slug": i.slug,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "reported": i.reported,
            "definition": i.definition,
        }
        for i in indicators.REGISTRY.values()
    ]


@indicators_router.get("/{slug}")
def indicator_value(request, slug: str, region: str, on: datetime.date | None = None):
    """An indicator computed live for a region (GB/T 2260 code, with the
    divisions inside it), ``network:<id>`` or ``org:<id>`` on a date (today).
    ``value`` is null when there is no data."""
    ind, scope, day, value = selectors.indicator_value(slug, scope=region, on=on)
    return {
        "slug": ind.slug,
        "name": ind.name,
        "unit": ind.unit,
        "region": scope.key,
        "scope_name": scope.name,
        "on": day.isoformat(),
        "value": value,
        "reported": ind.reported,
        "definition": ind.definition,
    }


class ReportIn(Schema):
    organisation_id: int
    indicator: str
    period_start: datetime.date
    period_end: datetime.date
    value: float
    note: str = ""


@router.post("/reported-values", response={201: dict}, auth=write_auth)
def reported_value_submit(request, payload: Form[ReportIn]):
    """Report a value of a reported indicator for a period with its evidence
    file (multipart, field ``evidence``: required, refused without). It
    counts only after a reviewer approves it."""
    evidence = request.FILES.get("evidence")
    org = Organisation.objects.filter(pk=payload.organisation_id).first()
    if org is None:
        from qihub.core.errors import ApplicationError

        raise ApplicationError(
            f"organisation_id: no organisation {payload.organisation_id}."
        )
    rv = services.reported_value_submit(
        actor=request.auth,
        organisation=org,
        indicator=payload.indicator,
        period_start=payload.period_start,
        period_end=payload.period_end,
        value=payload.value,
        evidence=evidence,
        note=payload.note,
        today=timezone.localdate(),
    )
    return Status(201, {"id": rv.pk, "state": rv.state})
