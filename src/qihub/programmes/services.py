"""Writes of the programmes app: programmes, targets, reported values and
their review, snapshots. Nothing else in the platform is written here."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import may_act_as_staff, recorded, require_staff
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.core.roles import Role, has_role
from qihub.organisations.models import Network, Organisation, Region
from qihub.programmes import indicators
from qihub.programmes.models import Programme, ReportedValue, Snapshot, Target


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field: [message]})


def _check_staff(actor) -> None:
    require_staff(actor, _("Only institute staff may set programmes and targets."))


@transaction.atomic
def programme_create(
    *,
    actor,
    name_zh: str = "",
    name_en: str = "",
    issuing_authority: Organisation,
    starts_on: datetime.date,
    ends_on: datetime.date,
    region: Region | None = None,
    network: Network | None = None,
    source_title: str = "",
    source_url: str = "",
    source_text: str = "",
) -> Programme:
    """A plan with numbers, for a region or a network, over a period."""
    _check_staff(actor)
    if not (name_zh.strip() or name_en.strip()):
        raise _field_error("name_zh", _("name: a programme needs a name."))
    if issuing_authority is None:
        raise _field_error(
            "issuing_authority", _("issuing_authority: name the issuing authority.")
        )
    if region is None and network is None:
        raise _field_error(
            "region", _("region: a programme is for a region or for a network.")
        )
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise _field_error(
            "ends_on", _("ends_on: the period must end on or after its start.")
        )
    return Programme.objects.create(
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        issuing_authority=issuing_authority,
        region=region,
        network=network,
        starts_on=starts_on,
        ends_on=ends_on,
        source_title=source_title,
        source_url=source_url,
        source_text=source_text,
    )


@transaction.atomic
def target_add(
    *,
    actor,
    programme: Programme,
    indicator: str,
    target_value: float | None,
    unit: str,
    deadline: datetime.date | None,
    baseline_value: float | None = None,
    baseline_on: datetime.date | None = None,
    owner: Organisation | None = None,
    note: str = "",
) -> Target:
    """A quantified target of a programme. The indicator must exist in the
    registry; a target without a deadline or a unit is refused."""
    _check_staff(actor)
    indicators.get(indicator)
    if target_value is None:
        raise _field_error("target_value", _("target_value: give the target value."))
    if not (unit or "").strip():
        raise _field_error(
            "unit", _("unit: a target needs a unit (for example 项, %, 家).")
        )
    if deadline is None:
        raise _field_error("deadline", _("deadline: a target needs a deadline."))
    if baseline_value is not None and baseline_on is None:
        raise _field_error(
            "baseline_on",
            _("baseline_on: say on which date the baseline was measured."),
        )
    position = programme.targets.count()
    return Target.objects.create(
        programme=programme,
        indicator=indicator,
        target_value=float(target_value),
        unit=unit.strip(),
        deadline=deadline,
        baseline_value=baseline_value,
        baseline_on=baseline_on,
        owner=owner,
        note=note,
        position=position,
    )


def _may_report(actor, organisation: Organisation) -> bool:
    from qihub.organisations.models import Membership

    if may_act_as_staff(actor):
        return True
    if recorded(actor) is None:
        return False
    return Membership.objects.filter(user=actor, organisation=organisation).exists()


@transaction.atomic
def reported_value_submit(
    *,
    actor,
    organisation: Organisation,
    indicator: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    value: float | None,
    evidence,
    note: str = "",
    today: datetime.date | None = None,
) -> ReportedValue:
    """An organisation reports a value of an indicator no data can compute,
    for a period that has ended, with an evidence file. It waits for a
    reviewer and counts only once approved."""
    if not _may_report(actor, organisation):
        raise PermissionDenied(
            _("Only members of %(org)s and institute staff may report its values.")
            % {"org": organisation.name}
        )
    ind = indicators.get(indicator)
    if not ind.reported:
        raise _field_error(
            "indicator",
            _("indicator: %(slug)s is computed from the records; it is not reported.")
            % {"slug": indicator},
        )
    today = today or timezone.localdate()
    if period_start is None or period_end is None:
        raise _field_error("period_end", _("period_end: give the period reported on."))
    if period_end < period_start:
        raise _field_error(
            "period_end", _("period_end: the period must end on or after its start.")
        )
    if period_end > today:
        raise _field_error(
            "period_end",
            _("period_end: %(day)s is in the future; report a period that has ended.")
            % {"day": period_end.isoformat()},
        )
    if value is None or value < 0:
        raise _field_error("value", _("value: give a value of zero or more."))
    if not evidence:
        raise _field_error(
            "evidence", _("evidence: attach the evidence file (a report, a list).")
        )
    return ReportedValue.objects.create(
        indicator=indicator,
        organisation=organisation,
        period_start=period_start,
        period_end=period_end,
        value=float(value),
        evidence=evidence,
        note=note,
        submitted_by=recorded(actor),
    )


@transaction.atomic
def reported_value_review(
    *, actor, reported: ReportedValue, approve: bool, note: str = ""
) -> ReportedValue:
    """A reviewer approves (it counts from now on) or rejects a pending value."""
    if actor is not None and not has_role(actor, Role.REVIEWER, Role.STAFF):
        raise PermissionDenied(_("Only reviewers may approve reported values."))
    reported = ReportedValue.objects.select_for_update().get(pk=reported.pk)
    if reported.state != ReportedValue.State.PENDING:
        raise ApplicationError(
            _("This value was already reviewed (%(state)s).")
            % {"state": reported.get_state_display()},
            status=409,
        )
    if not approve and not note.strip():
        raise _field_error("review_note", _("review_note: say why it is rejected."))
    reported.state = (
        ReportedValue.State.APPROVED if approve else ReportedValue.State.REJECTED
    )
    reported.reviewer = recorded(actor)
    reported.reviewed_at = timezone.now()
    reported.review_note = note
    reported.save(update_fields=["state", "reviewer", "reviewed_at", "review_note"])
    return reported


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    nxt = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


@transaction.atomic
def snapshot_store(
    *,
    indicator: str,
    scope: str,
    month: datetime.date,
    value: float | None,
    seeded: bool = False,
) -> Snapshot:
    """Store (or replace) an indicator's value in a scope for a month."""
    indicators.get(indicator)
    snap, _created = Snapshot.objects.update_or_create(
        indicator=indicator,
        scope=scope,
        month=month_start(month),
        defaults={"value": value, "seeded": seeded},
    )
    return snap


def snapshot_scopes(*, all_regions: bool = False) -> list[str]:
    """The scopes the monthly job measures: each programme's region and the
    divisions directly inside it, or its network and the network's members;
    with ``all_regions`` every province and city as well."""
    from qihub.organisations.models import NetworkMember

    keys: list[str] = []
    for prog in Programme.objects.all():
        if prog.network_id:
            keys.append(f"network:{prog.network_id}")
            keys.extend(
                f"org:{oid}"
                for oid in NetworkMember.objects.filter(
                    network_id=prog.network_id
                ).values_list("organisation_id", flat=True)
            )
        elif prog.region_id:
            keys.append(prog.region_id)
            keys.extend(
                Region.objects.filter(parent_id=prog.region_id).values_list(
                    "code", flat=True
                )
            )
    if all_regions:
        keys.extend(
            Region.objects.exclude(level=Region.Level.COUNTY).values_list(
                "code", flat=True
            )
        )
    return list(dict.fromkeys(keys))


def snapshots_compute(
    *,
    month: datetime.date,
    scopes: list[str] | None = None,
    slugs: list[str] | None = None,
    progress=None,
) -> int:
    """Compute every target indicator for every scope at the end of
    ``month`` (any past month: the indicators read the records' dates) and
    store the values. Returns the number stored."""
    if slugs is None:
        slugs = sorted(set(Target.objects.values_list("indicator", flat=True)))
    if scopes is None:
        scopes = snapshot_scopes()
    day = min(month_end(month_start(month)), timezone.localdate())
    scope_objs = [indicators.scope_for(key) for key in scopes]
    stored = 0
    for slug in slugs:
        values = indicators.values_for(slug, scope_objs, day)
        with transaction.atomic():
            Snapshot.objects.bulk_create(
                [
                    Snapshot(
                        indicator=slug,
                        scope=key,
                        month=month_start(month),
                        value=values[key],
                        seeded=False,
                    )
                    for key in scopes
                ],
                update_conflicts=True,
                unique_fields=["scope", "indicator", "month"],
                update_fields=["value", "seeded", "computed_at"],
                batch_size=500,
            )
        stored += len(scopes)
        if progress is not None:
            progress(slug, stored)
    return stored
