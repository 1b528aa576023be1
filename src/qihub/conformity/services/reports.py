"""Test reports: written, evaluated by the check engine on issue, revoked, cited by declarations and spot checks."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.conformity.models import (
    Outcome,
    ReportCitation,
    ReportEvent,
    TestReport,
    TestRequest,
    TestResult,
)
from qihub.conformity.services._common import (
    VERIFY_NUMBER,
    accreditation_on,
    actor_recorded,
    check_acts_for,
    field_error,
    standards_resolve,
)
from qihub.conformity.services.requests import request_move
from qihub.core.errors import ApplicationError, Conflict
from qihub.organisations.models import Organisation
from qihub.requirements import checks, units


@transaction.atomic
def report_create(
    *,
    actor,
    body: Organisation,
    number: str,
    product: str,
    standards: Sequence[str | Standard],
    results: Sequence[Mapping[str, Any]],
    conclusion: str,
    client: Organisation | None = None,
    sample: str = "",
    conditions: Mapping[str, str] | None = None,
    request: TestRequest | None = None,
) -> TestReport:
    """Draft a test report with its results per parameter (value, unit,
    uncertainty, method, limit quoted). Issue it with ``report_issue``."""
    check_acts_for(actor, body)
    number = (number or "").strip()
    if not VERIFY_NUMBER.match(number):
        raise field_error("number", _("Give a report number (letters, digits, - / .)."))
    if TestReport.objects.filter(number=number).exists():
        raise field_error("number", _("Report number %(n)s is taken.") % {"n": number})
    if conclusion not in TestReport.Conclusion.values:
        raise field_error("conclusion", _("Write the conclusion: pass or fail."))
    if not (product or "").strip():
        raise field_error("product", _("Name the product."))
    stds = standards_resolve(standards)
    if not results:
        raise field_error("results", _("Give at least one result."))
    from qihub.requirements.services import parameter_keys

    keys = parameter_keys([str(r.get("parameter", "")) for r in results])
    report = TestReport.objects.create(
        number=number,
        body=body,
        client=client or (request.client if request else None),
        request=request,
        product=product.strip()[:200],
        sample=(sample or "")[:300],
        conditions=dict(conditions or {}),
        conclusion=conclusion,
    )
    report.standards.set(stds)
    rows = []
    for i, r in enumerate(results, start=1):
        name = str(r.get("parameter", "")).strip()
        if not name:
            raise field_error(
                "results", _("Result %(i)d: name the parameter.") % {"i": i}
            )
        value = str(r.get("value", "")).strip()
        if not value:
            raise field_error(
                "results",
                _("Result %(i)d (%(p)s): give the value.") % {"i": i, "p": name},
            )
        rows.append(
            TestResult(
                report=report,
                parameter=name[:200],
                parameter_key=keys.get(name, name)[:200],
                value=value[:60],
                unit=str(r.get("unit", "") or "")[:40],
                uncertainty=str(r.get("uncertainty", "") or "")[:40],
                method=str(r.get("method", "") or "")[:200],
                limit_quoted=str(r.get("limit_quoted", "") or "")[:100],
            )
        )
    TestResult.objects.bulk_create(rows)
    ReportEvent.objects.create(
        report=report, type=ReportEvent.Type.CREATED, actor=actor_recorded(actor)
    )
    return report


def evaluate_results(
    results: Sequence[TestResult],
    specs: Sequence[checks.RequirementSpec],
    conditions: Mapping[str, str],
) -> tuple[str, list[tuple[str, str, str]]]:
    """Each result against the requirements on its parameter: (outcome,
    reason, requirement text) per result and the computed conclusion.
    A unit that cannot be converted is refused with the parameter's name."""
    by_param: dict[str, list[checks.RequirementSpec]] = {}
    for spec in specs:
        by_param.setdefault(spec.parameter, []).append(spec)
    verdicts = []
    for res in results:
        relevant = by_param.get(res.parameter_key, [])
        if not relevant:
            verdicts.append(
                (
                    Outcome.NOT_APPLICABLE,
                    _("No confirmed requirement of the cited standards limits %(p)s.")
                    % {"p": res.parameter},
                    "",
                )
            )
            continue
        number = checks.to_decimal(res.value)
        values = {
            res.parameter_key: (number if number is not None else res.value, res.unit)
        }
        outs = []
        for spec in relevant:
            if number is not None and spec.operator in checks.NUMERIC_OPERATORS:
                try:
                    units.convert(number, res.unit, spec.unit)
                except units.UnitError as exc:
                    raise ApplicationError(
                        _(
                            "%(p)s: the unit %(unit)s cannot be converted to "
                            "%(target)s of %(req)s."
                        )
                        % {
                            "p": res.parameter,
                            "unit": res.unit or _("a plain number"),
                            "target": spec.unit or _("a plain number"),
                            "req": spec.describe(),
                        },
                        details={"results": res.parameter},
                    ) from exc
            outs.append(checks.evaluate_one(spec, values, conditions))
        pick = None
        for wanted in (
            checks.FAIL,
            checks.PASS,
            checks.CANNOT_EVALUATE,
            checks.NOT_APPLICABLE,
        ):
            pick = next((o for o in outs if o.outcome == wanted), None)
            if pick is not None:
                break
        verdicts.append(
            (pick.outcome, str(pick.reason)[:500], pick.requirement.describe()[:200])
        )
    outcomes = [v[0] for v in verdicts]
    if checks.FAIL in outcomes:
        computed = Outcome.FAIL
    elif checks.CANNOT_EVALUATE in outcomes:
        computed = Outcome.CANNOT_EVALUATE
    elif checks.PASS in outcomes:
        computed = Outcome.PASS
    else:
        computed = Outcome.NOT_APPLICABLE
    return computed, verdicts


@transaction.atomic
def report_issue(
    *, actor, report: TestReport, on: datetime.date | None = None
) -> TestReport:
    """Issue a drafted report: the body must hold a valid accreditation; every
    result is evaluated by the requirement engine against the cited
    standards' confirmed requirements; the written conclusion must agree with
    the computed one (a contradiction blocks issuing)."""
    from qihub.requirements.checking import specs_for

    report = TestReport.objects.select_for_update().get(pk=report.pk)
    check_acts_for(actor, report.body)
    if report.status != TestReport.Status.DRAFT:
        raise Conflict(_("Report %(n)s is already issued.") % {"n": report.number})
    day = on or timezone.localdate()
    if accreditation_on(report.body, day) is None:
        raise field_error(
            "body",
            _(
                "%(body)s holds no valid accreditation on %(day)s: an expired "
                "body cannot issue reports."
            )
            % {"body": report.body.name, "day": day.isoformat()},
        )
    results = list(report.results.all())
    specs = specs_for(report.standards.all())
    computed, verdicts = evaluate_results(results, specs, report.conditions)
    for res, (outcome, reason, req) in zip(results, verdicts, strict=True):
        res.outcome, res.reason, res.requirement = outcome, reason, req
    if computed == Outcome.FAIL and report.conclusion == TestReport.Conclusion.PASS:
        failing = ", ".join(r.parameter for r in results if r.outcome == Outcome.FAIL)
        raise field_error(
            "conclusion",
            _(
                "The written conclusion 'conforms' contradicts the results: "
                "%(params)s fail the requirements."
            )
            % {"params": failing},
        )
    if computed == Outcome.PASS and report.conclusion == TestReport.Conclusion.FAIL:
        raise field_error(
            "conclusion",
            _(
                "The written conclusion 'does not conform' contradicts the "
                "results: every evaluated result meets the requirements."
            ),
        )
    TestResult.objects.bulk_update(results, ["outcome", "reason", "requirement"])
    report.computed = computed
    report.status = TestReport.Status.ISSUED
    report.issued_on = day
    report.save(update_fields=["computed", "status", "issued_on", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        type=ReportEvent.Type.ISSUED,
        actor=actor_recorded(actor),
        details={"computed": computed},
    )
    if report.request_id:
        req = report.request
        if req.state == TestRequest.State.SAMPLE_RECEIVED:
            request_move(
                actor=None,
                request=req,
                state=TestRequest.State.REPORT_ISSUED,
                reason=report.number,
            )
    return report


@transaction.atomic
def report_revoke(*, actor, report: TestReport, reason: str) -> TestReport:
    """Revoke an issued report with a reason; it stays visible as revoked."""
    report = TestReport.objects.select_for_update().get(pk=report.pk)
    check_acts_for(actor, report.body)
    if report.status != TestReport.Status.ISSUED:
        raise Conflict(_("Only an issued report can be revoked."))
    if not (reason or "").strip():
        raise field_error("reason", _("Say why the report is revoked."))
    report.status = TestReport.Status.REVOKED
    report.revoked_at = timezone.now()
    report.revoke_reason = reason.strip()
    report.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        type=ReportEvent.Type.REVOKED,
        actor=actor_recorded(actor),
        reason=reason,
    )
    return report


@transaction.atomic
def report_cite(
    *,
    actor,
    report: TestReport,
    declaration=None,
    indicator=None,
    spot_check=None,
) -> ReportCitation:
    """A declaration's core indicator or a spot check cites an issued report."""
    if report.status != TestReport.Status.ISSUED:
        raise field_error("report", _("Only an issued report can be cited."))
    if declaration is None and spot_check is None:
        raise field_error(
            "declaration", _("Cite the report from a declaration or a spot check.")
        )
    if indicator is not None and declaration is None:
        raise field_error("declaration", _("Name the declaration of the indicator."))
    return ReportCitation.objects.create(
        report=report,
        declaration=declaration,
        indicator=indicator,
        spot_check=spot_check,
    )
