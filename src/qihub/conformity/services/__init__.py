"""Writes of conformity assessment: scopes, test requests, reports,
certification and recognition agreements. Every write goes through here."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.conformity.models import (
    Agreement,
    Application,
    ApplicationEvent,
    Certificate,
    CertificateEvent,
    Outcome,
    ReportCitation,
    ReportEvent,
    Scheme,
    ScopeLine,
    TestReport,
    TestRequest,
    TestRequestEvent,
    TestResult,
)
from qihub.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.models import Designation, Membership, Organisation
from qihub.requirements import checks, units
from qihub.requirements.parameters import fold

# --- permissions -------------------------------------------------------------


def acts_for(user, organisation: Organisation | None) -> bool:
    """Staff, the platform itself (None) and the organisation's members act
    for it."""
    if user is None:
        return True
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    if is_staff_member(user):
        return True
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def _check_acts_for(user, organisation: Organisation) -> None:
    if not acts_for(user, organisation):
        raise PermissionDenied(
            _("Only staff and members of %(org)s may do this.")
            % {"org": organisation.name}
        )


def _field_error(field_name: str, message: str) -> ApplicationError:
    return ApplicationError(message, details={field_name: message})


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def accreditation_on(body: Organisation, day: datetime.date) -> Designation | None:
    """The body's accreditation (``accredited_body`` designation) valid on ``day``."""
    for d in body.designations.filter(kind=Designation.Kind.ACCREDITED_BODY).order_by(
        "-valid_from"
    ):
        if d.valid_on(day):
            return d
    return None


def body_by_code(code: str) -> Organisation:
    """A body by credit code, accreditation number (CNAS L1234) or id."""
    code = (code or "").strip()
    org = Organisation.objects.filter(credit_code=code.upper()).first()
    if org is None:
        d = (
            Designation.objects.filter(
                kind=Designation.Kind.ACCREDITED_BODY, number__iexact=code
            )
            .select_related("organisation")
            .first()
        )
        org = d.organisation if d else None
    if org is None and code.isdigit():
        org = Organisation.objects.filter(pk=int(code)).first()
    if org is None:
        raise NotFound(
            _("No body with code %(code)s (credit code, accreditation number or id).")
            % {"code": code}
        )
    return org


# --- scope lines ------------------------------------------------------------

#: Column headers as CNAS publishes them, and English ones, to field names.
SCOPE_HEADERS = {
    "序号": "seq",
    "no": "seq",
    "no.": "seq",
    "seq": "seq",
    "检测对象": "object",
    "检验对象": "object",
    "object": "object",
    "product": "object",
    "项目/参数": "parameter",
    "项目参数": "parameter",
    "parameter": "parameter",
    "参数序号": "parameter_number",
    "parameter number": "parameter_number",
    "参数英文名称": "parameter_en",
    "parameter (english)": "parameter_en",
    "parameter en": "parameter_en",
    "单位": "unit",
    "unit": "unit",
    "检测标准（方法）名称及编号（含年号）": "standard",
    "检测标准(方法)名称及编号(含年号)": "standard",
    "检测标准": "standard",
    "standard": "standard",
    "standard (method)": "standard",
    "条款": "clause",
    "clause": "clause",
    "限制范围": "limitation",
    "limitation": "limitation",
    "limitation/range": "limitation",
    "说明": "remarks",
    "remarks": "remarks",
    "有效期起": "valid_from",
    "valid from": "valid_from",
    "有效期至": "valid_until",
    "valid until": "valid_until",
}
REQUIRED_COLUMNS = ("object", "parameter", "standard")

_IDENT = re.compile(
    r"(?:GB|GB/T|GB/Z|[A-Z]{1,5}/T|[A-Z]{2,6}|ISO|IEC|EN|ASTM|JJF|JJG)"
    r"(?:/[A-Z])?\s*[A-Z]?\s*\d+(?:[.\-]\d+)*(?:\s*[-—–]\s*\d{2,4})?"
)
_CLAUSE = re.compile(
    r"(?:第\s*)?(\d+(?:\.\d+)*)\s*条|(?:clause|cl\.)\s*(\d+(?:\.\d+)*)", re.I
)


def _norm_header(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "").strip()).lower()


def split_standard_cell(text: str) -> tuple[str, str]:
    """The identifier and the clause in a CNAS standard cell
    ("纺织品 甲醛的测定 GB/T 2912.1-2009 第5条")."""
    text = (text or "").strip()
    clause = ""
    m = _CLAUSE.search(text)
    if m:
        clause = m.group(1) or m.group(2) or ""
        text_wo = text[: m.start()] + text[m.end() :]
    else:
        text_wo = text
    ids = _IDENT.findall(text_wo.upper().replace("／", "/"))
    ident = ids[0].strip() if ids else text_wo.strip()
    return ident, clause


def _read_rows(*, data: bytes, filename: str) -> list[list[str]]:
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        from qihub.core.spreadsheets import check_zip

        check_zip(data)
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ApplicationError(_("The file is not a readable XLSX file.")) from exc
        sheet = wb.worksheets[0]
        rows = [
            ["" if c is None else str(c) for c in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        wb.close()
        return rows
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ApplicationError(
                _("The file is neither UTF-8 nor GB 18030 text.")
            ) from exc
    return list(csv.reader(io.StringIO(text)))


def _date_cell(value: str, field_name: str, line: int, errors: list) -> Any:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        errors.append(
            {
                "line": line,
                "field": field_name,
                "message": _("%(value)r is not a date (YYYY-MM-DD).")
                % {"value": value},
            }
        )
        return None


@dataclass
class ScopeImportReport:
    """What a scope import did (or would do, in a dry run)."""

    body: Organisation
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    dry_run: bool = False
    errors: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        verb = _("would add") if self.dry_run else _("added")
        return _(
            "%(body)s: %(rows)d rows read, %(verb)s %(created)d scope lines, "
            "%(dup)d already there."
        ) % {
            "body": self.body.name,
            "rows": self.rows,
            "verb": verb,
            "created": self.created,
            "dup": self.duplicates,
        }


@transaction.atomic
def scope_import(
    *,
    actor,
    body: Organisation,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    progress=None,
) -> ScopeImportReport:
    """Import a body's accredited scope from CSV or XLSX in the CNAS layout,
    all or nothing: one bad row (unknown standard, parameter without a unit,
    bad date) refuses the whole file with every error by line."""
    _check_acts_for(actor, body)
    if body.kind not in (
        Organisation.Kind.TESTING_BODY,
        Organisation.Kind.CALIBRATION_LAB,
        Organisation.Kind.CERTIFICATION_BODY,
        Organisation.Kind.INTERNATIONAL,
    ):
        raise _field_error(
            "body",
            _("%(org)s is not a testing, inspection or certification body.")
            % {"org": body.name},
        )
    rows = [
        r for r in _read_rows(data=data, filename=filename) if any(c.strip() for c in r)
    ]
    if not rows:
        raise _field_error("file", _("The file is empty."))
    header = [SCOPE_HEADERS.get(_norm_header(h), "") for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _field_error(
            "file",
            _(
                "Missing columns: %(cols)s. Use the CNAS headers (序号, 检测对象, "
                "项目/参数, 检测标准（方法）名称及编号（含年号）, 限制范围, 说明) or "
                "English ones (object, parameter, standard, limitation, remarks)."
            )
            % {"cols": ", ".join(missing)},
        )
    from qihub.requirements.models import Parameter
    from qihub.requirements.services import parameter_keys

    records = []
    for offset, raw in enumerate(rows[1:], start=2):
        rec = {
            name: (raw[i].strip() if i < len(raw) else "")
            for i, name in enumerate(header)
            if name
        }
        rec["line"] = offset
        records.append(rec)
    names = []
    for rec in records:
        pname = rec.get("parameter", "")
        m = re.match(r"^\s*(\d+(?:\.\d+)*)\s+(.+)$", pname)
        if m and not rec.get("parameter_number"):
            rec["parameter_number"], pname = m.group(1), m.group(2)
        rec["parameter"] = pname.strip()
        names.append(rec["parameter"])
    keys = parameter_keys(names)
    default_units = dict(
        Parameter.objects.filter(key__in=set(keys.values())).values_list(
            "key", "default_unit"
        )
    )
    report = ScopeImportReport(body=body, rows=len(records), dry_run=dry_run)
    std_cache: dict[str, Standard | None] = {}
    existing = set(
        ScopeLine.objects.filter(body=body).values_list(
            "object_key", "parameter_key", "standard_id", "clause"
        )
    )
    to_create = []
    for n, rec in enumerate(records):
        line = rec["line"]
        errors = report.errors
        if not rec.get("object"):
            errors.append(
                {
                    "line": line,
                    "field": "object",
                    "message": _("Give the object (product category)."),
                }
            )
        if not rec["parameter"]:
            errors.append(
                {
                    "line": line,
                    "field": "parameter",
                    "message": _("Give the parameter."),
                }
            )
            continue
        ident, clause = split_standard_cell(rec.get("standard", ""))
        clause = rec.get("clause") or clause
        if not ident:
            errors.append(
                {"line": line, "field": "standard", "message": _("Give the standard.")}
            )
            continue
        if ident not in std_cache:
            try:
                std_cache[ident] = standard_get_by_identifier(ident)
            except Exception:
                std_cache[ident] = None
        standard = std_cache[ident]
        if standard is None:
            errors.append(
                {
                    "line": line,
                    "field": "standard",
                    "message": _("%(ident)s is not in the standards catalogue.")
                    % {"ident": ident},
                }
            )
            continue
        key = keys.get(rec["parameter"], rec["parameter"])
        unit = rec.get("unit") or default_units.get(key, "")
        if not unit and key in default_units:
            unit = "-"  # a known dimensionless parameter (pH, grade)
        if not unit:
            errors.append(
                {
                    "line": line,
                    "field": "unit",
                    "message": _(
                        "%(parameter)s has no unit: give one in the unit (单位) "
                        "column, or '-' for a qualitative parameter."
                    )
                    % {"parameter": rec["parameter"]},
                }
            )
            continue
        if unit != "-":
            try:
                units.parse_unit(unit)
            except units.UnitError:
                errors.append(
                    {
                        "line": line,
                        "field": "unit",
                        "message": _("%(unit)r is not a unit.") % {"unit": unit},
                    }
                )
                continue
        valid_from = _date_cell(rec.get("valid_from", ""), "valid_from", line, errors)
        valid_until = _date_cell(
            rec.get("valid_until", ""), "valid_until", line, errors
        )
        obj_key = fold(rec.get("object", ""))
        sig = (obj_key, key, standard.pk, clause)
        if sig in existing:
            report.duplicates += 1
            continue
        existing.add(sig)
        zh, en = rec["parameter"], rec.get("parameter_en", "")
        if not re.search(r"[\u4e00-\u9fff]", zh) and not en:
            zh, en = "", zh
        to_create.append(
            ScopeLine(
                body=body,
                seq=rec.get("seq", "")[:20],
                object_name=rec.get("object", "")[:200],
                object_key=obj_key[:200],
                parameter_number=rec.get("parameter_number", "")[:20],
                parameter_name_zh=zh[:200],
                parameter_name_en=en[:200],
                parameter_key=key[:200],
                unit=unit[:40],
                standard=standard,
                standard_text=rec.get("standard", "")[:300],
                clause=clause[:60],
                limitation=rec.get("limitation", "")[:300],
                remarks=rec.get("remarks", "")[:300],
                valid_from=valid_from,
                valid_until=valid_until,
                flagged_at=None if standard.is_valid else timezone.now(),
                flag_reason=""
                if standard.is_valid
                else _("%(ident)s is %(status)s.")
                % {
                    "ident": standard.identifier,
                    "status": standard.get_status_display(),
                },
            )
        )
        if progress is not None:
            progress(n + 1)
    if report.errors:
        raise ApplicationError(
            _(
                "The scope file has %(n)d errors; nothing was imported. First: line %(line)d, %(message)s"
            )
            % {"n": len(report.errors), **report.errors[0]},
            details={"rows": report.errors},
        )
    report.created = len(to_create)
    if not dry_run:
        ScopeLine.objects.bulk_create(to_create, batch_size=1000)
        from qihub.organisations.models import OrganisationEvent

        OrganisationEvent.objects.create(
            organisation=body,
            type=OrganisationEvent.Type.IMPORTED,
            actor=_actor(actor),
            reason=_("Accredited scope imported"),
            details={"scope_lines": report.created, "file": filename},
        )
    return report


def scope_lines_flag_for_standard(*, standard: Standard) -> int:
    """Flag (or unflag) the scope lines citing ``standard`` after its status
    changed: replaced or withdrawn editions need the accreditation extended."""
    if standard.status in (Standard.Status.REPLACED, Standard.Status.WITHDRAWN):
        from qihub.declarations.declaration_checks import replacement_for

        repl = replacement_for(standard)
        reason = _("%(ident)s is %(status)s") % {
            "ident": standard.identifier,
            "status": standard.get_status_display(),
        }
        if repl is not None:
            reason += _("; extend the accreditation to %(new)s") % {
                "new": repl.identifier
            }
        return ScopeLine.objects.filter(
            standard=standard, flagged_at__isnull=True
        ).update(flagged_at=timezone.now(), flag_reason=reason[:300])
    if standard.is_valid:
        return ScopeLine.objects.filter(
            standard=standard, flagged_at__isnull=False
        ).update(flagged_at=None, flag_reason="")
    return 0


# --- test requests ----------------------------------------------------------

_REQUEST_EDGES = {
    TestRequest.State.REQUESTED: {
        TestRequest.State.QUOTED: "body",
        TestRequest.State.DECLINED: "body",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.QUOTED: {
        TestRequest.State.ACCEPTED: "client",
        TestRequest.State.DECLINED: "client",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.ACCEPTED: {
        TestRequest.State.SAMPLE_RECEIVED: "body",
        TestRequest.State.CANCELLED: "client",
    },
    TestRequest.State.SAMPLE_RECEIVED: {TestRequest.State.REPORT_ISSUED: "body"},
}


def _request_side(user, req: TestRequest) -> set[str]:
    sides = set()
    if acts_for(user, req.body):
        sides.add("body")
    if user is None or (
        getattr(user, "is_authenticated", False)
        and (req.requester_id == user.pk or acts_for(user, req.client))
    ):
        sides.add("client")
    return sides


def may_see_request(user, req: TestRequest) -> bool:
    return bool(_request_side(user, req))


@transaction.atomic
def request_create(
    *,
    actor,
    body: Organisation,
    product: str,
    parameters: str,
    standard: str | Standard,
    client: Organisation | None = None,
    due_on: datetime.date | None = None,
    note: str = "",
) -> TestRequest:
    """A registered user asks a body to test a product for parameters
    against a standard; the body answers by ``due_on`` (7 days by default)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to request a test."))
    if not (product or "").strip():
        raise _field_error("product", _("Name the product to test."))
    if not (parameters or "").strip():
        raise _field_error("parameters", _("Name the parameters to test."))
    if isinstance(standard, str):
        found = standard_get_by_identifier(standard)
        if found is None:
            raise _field_error(
                "standard",
                _("%(ident)s is not in the standards catalogue.") % {"ident": standard},
            )
        standard = found
    if client is not None and actor is not None and not acts_for(actor, client):
        raise PermissionDenied(
            _("You may only request tests for your own organisation.")
        )
    req = TestRequest.objects.create(
        body=body,
        client=client,
        requester=_actor(actor),
        product=product.strip()[:200],
        parameters=parameters.strip()[:500],
        standard=standard,
        due_on=due_on or timezone.localdate() + datetime.timedelta(days=7),
    )
    TestRequestEvent.objects.create(
        request=req, state=req.state, actor=_actor(actor), reason=note
    )
    return req


@transaction.atomic
def request_move(
    *,
    actor,
    request: TestRequest,
    state: str,
    reason: str = "",
    quote: str = "",
    due_on: datetime.date | None = None,
) -> TestRequest:
    """Move a test request along its states; each side makes its own moves
    (the body quotes, declines, receives the sample; the client accepts)."""
    req = TestRequest.objects.select_for_update().get(pk=request.pk)
    edges = _REQUEST_EDGES.get(req.state, {})
    if state not in edges:
        raise Conflict(
            _("A request that is %(current)s cannot become %(state)s.")
            % {"current": req.get_state_display(), "state": state}
        )
    if edges[state] not in _request_side(actor, req):
        raise PermissionDenied(_("The other side makes this move."))
    if state == TestRequest.State.QUOTED and not quote.strip():
        raise _field_error("quote", _("Give the quote (price and time)."))
    if state == TestRequest.State.DECLINED and not reason.strip():
        raise _field_error("reason", _("Say why the request is declined."))
    req.state = state
    if quote:
        req.quote = quote.strip()[:300]
    req.due_on = due_on or (
        timezone.localdate()
        + datetime.timedelta(days=14 if state == "sample_received" else 7)
    )
    req.save(update_fields=["state", "quote", "due_on", "updated_at"])
    TestRequestEvent.objects.create(
        request=req,
        state=state,
        actor=_actor(actor),
        reason=reason,
        details={"quote": quote} if quote else {},
    )
    return req


# --- test reports -----------------------------------------------------------


def _standards(refs: Iterable[str | Standard]) -> list[Standard]:
    found = []
    for ref in refs:
        if isinstance(ref, Standard):
            found.append(ref)
            continue
        std = standard_get_by_identifier(str(ref))
        if std is None:
            raise _field_error(
                "standards",
                _("%(ident)s is not in the standards catalogue.") % {"ident": ref},
            )
        found.append(std)
    if not found:
        raise _field_error("standards", _("Cite at least one standard."))
    return found


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
    _check_acts_for(actor, body)
    number = (number or "").strip()
    if not VERIFY_NUMBER.match(number):
        raise _field_error(
            "number", _("Give a report number (letters, digits, - / .).")
        )
    if TestReport.objects.filter(number=number).exists():
        raise _field_error("number", _("Report number %(n)s is taken.") % {"n": number})
    if conclusion not in TestReport.Conclusion.values:
        raise _field_error("conclusion", _("Write the conclusion: pass or fail."))
    if not (product or "").strip():
        raise _field_error("product", _("Name the product."))
    stds = _standards(standards)
    if not results:
        raise _field_error("results", _("Give at least one result."))
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
            raise _field_error(
                "results", _("Result %(i)d: name the parameter.") % {"i": i}
            )
        value = str(r.get("value", "")).strip()
        if not value:
            raise _field_error(
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
        report=report, type=ReportEvent.Type.CREATED, actor=_actor(actor)
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
    _check_acts_for(actor, report.body)
    if report.status != TestReport.Status.DRAFT:
        raise Conflict(_("Report %(n)s is already issued.") % {"n": report.number})
    day = on or timezone.localdate()
    if accreditation_on(report.body, day) is None:
        raise _field_error(
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
        raise _field_error(
            "conclusion",
            _(
                "The written conclusion 'conforms' contradicts the results: "
                "%(params)s fail the requirements."
            )
            % {"params": failing},
        )
    if computed == Outcome.PASS and report.conclusion == TestReport.Conclusion.FAIL:
        raise _field_error(
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
        actor=_actor(actor),
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
    _check_acts_for(actor, report.body)
    if report.status != TestReport.Status.ISSUED:
        raise Conflict(_("Only an issued report can be revoked."))
    if not (reason or "").strip():
        raise _field_error("reason", _("Say why the report is revoked."))
    report.status = TestReport.Status.REVOKED
    report.revoked_at = timezone.now()
    report.revoke_reason = reason.strip()
    report.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    ReportEvent.objects.create(
        report=report, type=ReportEvent.Type.REVOKED, actor=_actor(actor), reason=reason
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
        raise _field_error("report", _("Only an issued report can be cited."))
    if declaration is None and spot_check is None:
        raise _field_error(
            "declaration", _("Cite the report from a declaration or a spot check.")
        )
    if indicator is not None and declaration is None:
        raise _field_error("declaration", _("Name the declaration of the indicator."))
    return ReportCitation.objects.create(
        report=report,
        declaration=declaration,
        indicator=indicator,
        spot_check=spot_check,
    )


# --- certification ----------------------------------------------------------


_SCHEME_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,39}$")


def _scheme_values(
    *,
    name_zh: str,
    name_en: str,
    standards: Sequence[str | Standard],
    rules: str,
    validity_years: int,
    surveillance_months: int,
) -> tuple[dict, list[Standard]]:
    """Check a scheme's fields before anything is written; the first bad one
    is refused by name."""
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    for name, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > 200:
            raise _field_error(name, _("The name is longer than 200 characters."))
    if not isinstance(validity_years, int) or not 1 <= validity_years <= 10:
        raise _field_error("validity_years", _("The validity is 1 to 10 years."))
    if not isinstance(surveillance_months, int) or not 1 <= surveillance_months <= 60:
        raise _field_error(
            "surveillance_months",
            _("The surveillance interval is 1 to 60 months."),
        )
    if surveillance_months > validity_years * 12:
        raise _field_error(
            "surveillance_months",
            _("The surveillance interval is longer than the validity."),
        )
    values = {
        "name_zh": name_zh,
        "name_en": name_en,
        "rules": (rules or "").strip(),
        "validity_years": validity_years,
        "surveillance_months": surveillance_months,
    }
    return values, _standards(standards)


@transaction.atomic
def scheme_create(
    *,
    actor,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    standards: Sequence[str | Standard] = (),
    rules: str = "",
    owner: Organisation | None = None,
    validity_years: int = 3,
    surveillance_months: int = 12,
) -> Scheme:
    """A certification scheme with the standards and rules it certifies
    against, the validity of its certificates and their surveillance interval."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may create schemes."))
    code = (code or "").strip()
    if not code:
        raise _field_error("code", _("Give the scheme a code."))
    if not _SCHEME_CODE.match(code):
        raise _field_error(
            "code",
            _("The code is up to 40 letters, digits, '-', '_' or '.'."),
        )
    if Scheme.objects.filter(code=code).exists():
        raise _field_error("code", _("Scheme %(c)s exists.") % {"c": code})
    values, stds = _scheme_values(
        name_zh=name_zh,
        name_en=name_en,
        standards=standards,
        rules=rules,
        validity_years=validity_years,
        surveillance_months=surveillance_months,
    )
    scheme = Scheme.objects.create(code=code, owner=owner, **values)
    scheme.standards.set(stds)
    return scheme


@transaction.atomic
def scheme_update(
    *,
    actor,
    scheme: Scheme,
    name_zh: str = "",
    name_en: str = "",
    standards: Sequence[str | Standard] = (),
    rules: str = "",
    owner: Organisation | None = None,
    validity_years: int = 3,
    surveillance_months: int = 12,
) -> Scheme:
    """Change a scheme's names, standards, rules, owner, validity or
    surveillance interval. The code stays: applications and the API name the
    scheme by it. Certificates already issued keep their own dates."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change schemes."))
    values, stds = _scheme_values(
        name_zh=name_zh,
        name_en=name_en,
        standards=standards,
        rules=rules,
        validity_years=validity_years,
        surveillance_months=surveillance_months,
    )
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.owner = owner
    scheme.save()
    scheme.standards.set(stds)
    return scheme


def _app_event(
    application: Application, state: str, actor, reason: str = "", **details
) -> None:
    """The one place an application's history is written."""
    ApplicationEvent.objects.create(
        application=application,
        state=state,
        actor=_actor(actor),
        reason=reason or "",
        details=details,
    )


@transaction.atomic
def application_create(
    *,
    actor,
    scheme: Scheme,
    body: Organisation,
    applicant: Organisation,
    products: str,
    standard: str | Standard,
    models_text: str = "",
    note: str = "",
) -> Application:
    """An applicant asks a certification body for a certificate under a
    scheme, for products (and models) against one of the scheme's standards."""
    _check_acts_for(actor, applicant)
    if body.kind != Organisation.Kind.CERTIFICATION_BODY:
        raise _field_error(
            "body", _("%(b)s is not a certification body.") % {"b": body.name}
        )
    if not (products or "").strip():
        raise _field_error("products", _("Name the products."))
    if isinstance(standard, str) and not standard.strip():
        raise _field_error("standard", _("Give the standard."))
    std = (
        standard
        if isinstance(standard, Standard)
        else standard_get_by_identifier(standard.strip())
    )
    if std is None:
        raise _field_error(
            "standard",
            _("%(ident)s is not in the standards catalogue.") % {"ident": standard},
        )
    if not scheme.standards.filter(base_key=std.base_key).exists():
        raise _field_error(
            "standard",
            _("Scheme %(s)s does not certify against %(std)s.")
            % {"s": scheme.code, "std": std.identifier},
        )
    app = Application.objects.create(
        scheme=scheme,
        body=body,
        applicant=applicant,
        products=products.strip()[:300],
        models_text=(models_text or "").strip()[:300],
        standard=std,
    )
    _app_event(app, Application.State.APPLIED, actor, note)
    return app


@transaction.atomic
def application_evaluate(
    *,
    actor,
    application: Application,
    test_report: TestReport,
    inspection_on: datetime.date,
    inspection_passed: bool,
    inspection_notes: str = "",
) -> Application:
    """Record the evaluation: a test report and the factory inspection."""
    _check_acts_for(actor, application.body)
    if application.state not in (
        Application.State.APPLIED,
        Application.State.EVALUATED,
    ):
        raise Conflict(_("The application is already decided."))
    if test_report.status != TestReport.Status.ISSUED:
        raise _field_error(
            "test_report", _("The test report must be issued (and not revoked).")
        )
    application.test_report = test_report
    application.inspection_on = inspection_on
    application.inspection_passed = inspection_passed
    application.inspection_notes = inspection_notes
    application.state = Application.State.EVALUATED
    application.save()
    _app_event(
        application,
        Application.State.EVALUATED,
        actor,
        inspection_notes,
        test_report=test_report.number,
        inspection_on=inspection_on.isoformat(),
        inspection_passed=inspection_passed,
    )
    return application


@transaction.atomic
def application_decide(
    *,
    actor,
    application: Application,
    grant: bool,
    number: str = "",
    reason: str = "",
    valid_from: datetime.date | None = None,
) -> Certificate | None:
    """Decide an evaluated application: grant issues the certificate (only
    with a passing report and a passed inspection), refuse records why."""
    _check_acts_for(actor, application.body)
    if application.state != Application.State.EVALUATED:
        raise Conflict(_("Evaluate the application before deciding."))
    if not grant:
        if not reason.strip():
            raise _field_error("reason", _("Say why the application is refused."))
        application.state = Application.State.REFUSED
        application.decision_reason = reason
        application.save()
        _app_event(application, Application.State.REFUSED, actor, reason)
        return None
    report = application.test_report
    if report is None or report.computed != Outcome.PASS or report.status != "issued":
        raise _field_error(
            "test_report", _("The test report does not show conformity.")
        )
    if not application.inspection_passed:
        raise _field_error(
            "inspection_passed", _("The factory inspection did not pass.")
        )
    application.state = Application.State.GRANTED
    application.decision_reason = reason
    application.save()
    cert = certificate_issue(
        actor=actor,
        scheme=application.scheme,
        body=application.body,
        holder=application.applicant,
        products=application.products,
        models_text=application.models_text,
        standard=application.standard,
        number=number,
        valid_from=valid_from,
        application=application,
    )
    _app_event(
        application, Application.State.GRANTED, actor, reason, certificate=cert.number
    )
    return cert


def _add_months(day: datetime.date, months: int) -> datetime.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    return day.replace(year=y, month=m, day=min(day.day, 28))


def _cert_event(
    cert: Certificate, type_: str, actor, reason: str = "", **details
) -> None:
    """The one place a certificate's history is written."""
    CertificateEvent.objects.create(
        certificate=cert,
        type=type_,
        actor=_actor(actor),
        reason=reason,
        details=details,
    )


@transaction.atomic
def certificate_issue(
    *,
    actor,
    scheme: Scheme,
    body: Organisation,
    holder: Organisation,
    products: str,
    standard: str | Standard,
    number: str,
    models_text: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    application: Application | None = None,
    replaces: Certificate | None = None,
) -> Certificate:
    """Issue a certificate with its scope, validity (the scheme's years by
    default) and first surveillance date."""
    _check_acts_for(actor, body)
    number = (number or "").strip()
    if not VERIFY_NUMBER.match(number):
        raise _field_error(
            "number", _("Give a certificate number (letters, digits, - / .).")
        )
    if Certificate.objects.filter(number=number).exists():
        raise _field_error(
            "number", _("Certificate number %(n)s is taken.") % {"n": number}
        )
    std = _standards([standard])[0]
    start = valid_from or timezone.localdate()
    end = valid_until or start.replace(year=start.year + scheme.validity_years)
    if end <= start:
        raise _field_error(
            "valid_until", _("The certificate must end after it starts.")
        )
    cert = Certificate.objects.create(
        number=number,
        scheme=scheme,
        body=body,
        holder=holder,
        application=application,
        products=products.strip()[:300],
        models_text=(models_text or "")[:300],
        standard=std,
        valid_from=start,
        valid_until=end,
        next_surveillance_on=_add_months(start, scheme.surveillance_months),
        replaces=replaces,
        search_text=fold(
            " ".join([number, products, models_text or "", holder.name, std.identifier])
        ),
    )
    details = {}
    if application is not None:
        details["application"] = application.pk
    if replaces is not None:
        details["renews"] = replaces.number
    _cert_event(cert, CertificateEvent.Type.ISSUED, actor, **details)
    return cert


_CERT_EDGES = {
    "suspend": (
        {Certificate.Status.VALID},
        Certificate.Status.SUSPENDED,
        CertificateEvent.Type.SUSPENDED,
    ),
    "restore": (
        {Certificate.Status.SUSPENDED},
        Certificate.Status.VALID,
        CertificateEvent.Type.RESTORED,
    ),
    "withdraw": (
        {Certificate.Status.VALID, Certificate.Status.SUSPENDED},
        Certificate.Status.WITHDRAWN,
        CertificateEvent.Type.WITHDRAWN,
    ),
    "expire": (
        {Certificate.Status.VALID, Certificate.Status.SUSPENDED},
        Certificate.Status.EXPIRED,
        CertificateEvent.Type.EXPIRED,
    ),
}


@transaction.atomic
def certificate_change(
    *, actor, certificate: Certificate, action: str, reason: str = ""
) -> Certificate:
    """Suspend, restore, withdraw or expire a certificate, with the reason in
    its history. Withdrawn is final; a suspended certificate can be restored."""
    if action not in _CERT_EDGES:
        raise _field_error("action", _("Unknown action %(a)r.") % {"a": action})
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_acts_for(actor, cert.body)
    sources, target, event = _CERT_EDGES[action]
    if cert.status not in sources:
        raise Conflict(
            _("A %(status)s certificate cannot be changed this way (%(action)s).")
            % {"status": cert.get_status_display(), "action": action}
        )
    if action in ("suspend", "withdraw") and not (reason or "").strip():
        raise _field_error("reason", _("Say why."))
    if action == "restore" and cert.valid_until < timezone.localdate():
        raise Conflict(_("The certificate has run out; renew it instead."))
    cert.status = target
    cert.status_reason = reason or ""
    cert.save(update_fields=["status", "status_reason", "updated_at"])
    _cert_event(cert, event, actor, reason)
    return cert


@transaction.atomic
def certificate_renew(
    *, actor, certificate: Certificate, number: str, reason: str = ""
) -> Certificate:
    """Renew a certificate: a new one continues the old scope from the day the
    old one ends; the old one expires then (or now, if already past)."""
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.status == Certificate.Status.WITHDRAWN:
        raise Conflict(_("A withdrawn certificate cannot be renewed."))
    if hasattr(old, "renewed_by"):
        raise Conflict(_("This certificate has been renewed already."))
    start = max(old.valid_until, timezone.localdate())
    new = certificate_issue(
        actor=actor,
        scheme=old.scheme,
        body=old.body,
        holder=old.holder,
        products=old.products,
        models_text=old.models_text,
        standard=old.standard,
        number=number,
        valid_from=start,
        replaces=old,
    )
    _cert_event(
        old, CertificateEvent.Type.RENEWED, actor, reason, renewed_by=new.number
    )
    return new


@transaction.atomic
def certificate_surveil(
    *, actor, certificate: Certificate, passed: bool, notes: str = ""
) -> Certificate:
    """Record a surveillance audit: passed moves the next date on; failed
    suspends the certificate."""
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    _check_acts_for(actor, cert.body)
    _cert_event(cert, CertificateEvent.Type.SURVEILLED, actor, notes, passed=passed)
    if passed:
        cert.next_surveillance_on = _add_months(
            timezone.localdate(), cert.scheme.surveillance_months
        )
        cert.save(update_fields=["next_surveillance_on", "updated_at"])
        return cert
    return certificate_change(
        actor=actor,
        certificate=cert,
        action="suspend",
        reason=notes or _("Surveillance failed."),
    )


def certificates_expire_due(*, day: datetime.date | None = None) -> int:
    """Expire every valid or suspended certificate past its end (scheduled)."""
    day = day or timezone.localdate()
    n = 0
    for cert in Certificate.objects.filter(
        status__in=[Certificate.Status.VALID, Certificate.Status.SUSPENDED],
        valid_until__lt=day,
    ):
        certificate_change(
            actor=None, certificate=cert, action="expire", reason=_("Validity ended.")
        )
        n += 1
    return n


def surveillance_reminders_send(
    *, today: datetime.date | None = None, within_days: int = 30
) -> int:
    """Remind each certification body of its valid certificates whose
    surveillance falls due within ``within_days`` or is overdue (scheduled).
    A certificate is reminded once per due date (a *reminded* event in its
    history); bodies without a contact e-mail still get the event. Returns the
    number of certificates reminded."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    rows = (
        Certificate.objects.filter(
            status=Certificate.Status.VALID,
            next_surveillance_on__isnull=False,
            next_surveillance_on__lte=horizon,
        )
        .select_related("body", "holder")
        .order_by("body_id", "next_surveillance_on", "number")
    )
    by_body: dict[int, tuple[Organisation, list[str]]] = {}
    n = 0
    for cert in rows.iterator(chunk_size=2000):
        due = cert.next_surveillance_on.isoformat()
        if cert.events.filter(
            type=CertificateEvent.Type.REMINDED, details__due=due
        ).exists():
            continue
        with transaction.atomic():
            _cert_event(cert, CertificateEvent.Type.REMINDED, None, "", due=due)
        n += 1
        if cert.next_surveillance_on < today:
            line = _("%(number)s %(holder)s: surveillance overdue since %(date)s")
        else:
            line = _("%(number)s %(holder)s: surveillance due on %(date)s")
        by_body.setdefault(cert.body_id, (cert.body, []))[1].append(
            line % {"number": cert.number, "holder": cert.holder.name, "date": due}
        )
    for body, lines in by_body.values():
        if not body.contact_email:
            continue
        send_mail(
            subject=_("Certificate surveillance due: %(count)d certificate(s)")
            % {"count": len(lines)},
            message="\n".join(lines),
            from_email=None,
            recipient_list=[body.contact_email],
        )
    return n


# --- mutual recognition ------------------------------------------------------


def _agreement_values(
    *,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
    products: Sequence[str],
    standards: Sequence[str | Standard],
) -> tuple[dict, list[Organisation], list[Standard]]:
    """Check an agreement's fields before anything is written; the first bad
    one is refused by name."""
    if kind not in Agreement.Kind.values:
        raise _field_error("kind", _("Unknown agreement kind %(k)r.") % {"k": kind})
    name = (name or "").strip()
    if not name:
        raise _field_error("name", _("Give the agreement a name."))
    if len(name) > 200:
        raise _field_error("name", _("The name is longer than 200 characters."))
    bodies = list(bodies)
    if not bodies:
        raise _field_error("bodies", _("Name at least one body it covers."))
    markets = list(dict.fromkeys(m.strip() for m in markets if m and m.strip()))
    if not markets:
        raise _field_error("markets", _("Name at least one market."))
    if valid_from is None:
        raise _field_error("valid_from", _("Give the date the agreement starts."))
    if valid_until is not None and valid_until <= valid_from:
        raise _field_error("valid_until", _("The agreement must end after it starts."))
    stds = _standards(standards) if standards else []
    values = {
        "kind": kind,
        "name": name,
        "markets": markets,
        "products": [fold(p) for p in products if p and p.strip()],
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    return values, bodies, stds


@transaction.atomic
def agreement_create(
    *,
    actor,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    products: Sequence[str] = (),
    standards: Sequence[str | Standard] = (),
) -> Agreement:
    """Record a recognition agreement: the bodies whose results it covers,
    the markets that accept them, its product and standard scope (empty: the
    whole scope) and its validity."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may record agreements."))
    values, bodies, stds = _agreement_values(
        kind=kind,
        name=name,
        bodies=bodies,
        markets=markets,
        valid_from=valid_from,
        valid_until=valid_until,
        products=products,
        standards=standards,
    )
    ag = Agreement.objects.create(**values)
    ag.bodies.set(bodies)
    ag.standards.set(stds)
    return ag


@transaction.atomic
def agreement_update(
    *,
    actor,
    agreement: Agreement,
    kind: str,
    name: str,
    bodies: Iterable[Organisation],
    markets: Sequence[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    products: Sequence[str] = (),
    standards: Sequence[str | Standard] = (),
) -> Agreement:
    """Change an agreement's scope or validity (an extension, a new member,
    an end date); "recognised here?" answers from the new values at once."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change agreements."))
    values, bodies, stds = _agreement_values(
        kind=kind,
        name=name,
        bodies=bodies,
        markets=markets,
        valid_from=valid_from,
        valid_until=valid_until,
        products=products,
        standards=standards,
    )
    ag = Agreement.objects.select_for_update().get(pk=agreement.pk)
    for field_name, value in values.items():
        setattr(ag, field_name, value)
    ag.save()
    ag.bodies.set(bodies)
    ag.standards.set(stds)
    return ag


# --- verification ------------------------------------------------------------

VERIFY_NUMBER = re.compile(
    r"^[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff\-/_.()（）]{2,59}$"
)
MAX_BULK = 100


def _number_ok(number: Any) -> bool:
    return isinstance(number, str) and bool(VERIFY_NUMBER.match(number.strip()))


def verify_numbers(
    numbers: Sequence[Any], *, day: datetime.date | None = None
) -> list[dict]:
    """Verify certificates and test reports by number, each reported on its
    own (malformed and unknown numbers too). Only public facts are given."""
    from qihub.conformity import selectors

    return selectors.verify(numbers, day=day)
