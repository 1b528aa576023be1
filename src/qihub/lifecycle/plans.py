"""Import of a standard project plan (标准制修订计划) from CSV or XLSX.

One row per project; the header names the columns in Chinese or English:

=================  =====================  ========================================
Chinese            English                meaning
=================  =====================  ========================================
计划号             plan number            project number (kept as the code)
项目名称           title                  Chinese title (or English: title_en)
英文名称           title_en               English title
制修订             kind                   制定/new or 修订/revision
代替标准           replaces               identifier of the standard revised
层级               level                  national, industry, local, group
归口单位           committee              committee code, e.g. SAC/TC 219
提出单位           proposer               proposing organisation
起草单位           drafting units         drafting units, first one first (、 ， ;)
计划完成时间       due on                 planned publication (YYYY-MM-DD)
=================  =====================  ========================================

The whole file is checked first; any bad row refuses the file and nothing is
written. Imported projects start in the *approved* state: a plan is issued.
The proposer and the drafting units are matched to registered organisations
(credit code, then normalised name); the ones missing are registered with a
kind guessed from the name (``parties.guess_kind``) in the same transaction,
so a refused or dry-run file registers none.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import xlsx_rows
from qihub.lifecycle import services, workflow
from qihub.lifecycle.models import Committee
from qihub.lifecycle.parties import guess_kind
from qihub.organisations.names import split_names
from qihub.organisations.services import organisation_find_or_create

MAX_ROWS = 20_000

HEADERS = {
    "计划号": "code",
    "plan number": "code",
    "code": "code",
    "项目名称": "title_zh",
    "title": "title_zh",
    "title_zh": "title_zh",
    "英文名称": "title_en",
    "title_en": "title_en",
    "制修订": "kind",
    "kind": "kind",
    "代替标准": "replaces",
    "replaces": "replaces",
    "层级": "level",
    "level": "level",
    "归口单位": "committee",
    "committee": "committee",
    "提出单位": "proposer_organisation",
    "proposer": "proposer_organisation",
    "起草单位": "drafting_units",
    "drafting units": "drafting_units",
    "计划完成时间": "due_on",
    "due on": "due_on",
}
KINDS = {"制定": "new", "new": "new", "修订": "revision", "revision": "revision"}


@dataclass
class PlanImport:
    """The outcome of a plan import: rows read, projects created, errors."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "codes": self.created,
            "errors": self.errors,
            "dry_run": self.dry_run,
        }


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows as dicts keyed by our field names; unknown columns are ignored."""
    if path.suffix.lower() == ".xlsx":
        # The bounded reader: zip limits and the cell limit before parsing.
        raw = [
            ["" if v is None else str(v) for v in row]
            for _number, row in xlsx_rows(path)
        ]
    elif path.suffix.lower() == ".csv":
        text = path.read_bytes().decode("utf-8-sig")
        raw = list(csv.reader(io.StringIO(text)))
    else:
        raise ApplicationError(_("Give a .csv or .xlsx file."))
    if not raw:
        raise ApplicationError(_("The file is empty."))
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip())) for h in raw[0]]
    if "title_zh" not in header and "title_en" not in header:
        raise ApplicationError(
            _("No title column: name one 项目名称 (title) or 英文名称 (title_en).")
        )
    if len(raw) - 1 > MAX_ROWS:
        raise ApplicationError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    rows = []
    for values in raw[1:]:
        if not any(v.strip() for v in values):
            continue
        rows.append(
            {
                name: value.strip()
                for name, value in zip(header, values, strict=False)
                if name
            }
        )
    return rows


def _organisation(name: str, *, actor, cache: dict):
    """The registered organisation of a name in the plan, registering it
    when missing (the platform itself registers for a command)."""
    if name not in cache:
        cache[name], _created = organisation_find_or_create(
            actor=actor, name=name, kind=guess_kind(name)
        )
    return cache[name]


def _row_args(
    row: dict[str, str], committees: dict, line: int, *, actor, cache: dict
) -> dict:
    kind = KINDS.get(row.get("kind", "").strip().lower() or "new")
    if kind is None:
        raise ApplicationError(
            _("Line %(l)d: kind must be 制定/new or 修订/revision.") % {"l": line}
        )
    args: dict = {
        "code": row.get("code", ""),
        "title_zh": row.get("title_zh", ""),
        "title_en": row.get("title_en", ""),
        "kind": kind,
        "level": row.get("level") or Standard.Level.NATIONAL,
        "drafting_units": [
            _organisation(name, actor=actor, cache=cache)
            for name in split_names(row.get("drafting_units", ""))
        ],
    }
    if row.get("proposer_organisation"):
        args["proposer_organisation"] = _organisation(
            row["proposer_organisation"], actor=actor, cache=cache
        )
    if row.get("committee"):
        committee = committees.get(row["committee"])
        if committee is None:
            raise ApplicationError(
                _("Line %(l)d: unknown committee %(c)s.")
                % {"l": line, "c": row["committee"]}
            )
        args["committee"] = committee
    if row.get("replaces"):
        standard = Standard.objects.filter(identifier=row["replaces"]).first()
        if standard is None:
            raise ApplicationError(
                _("Line %(l)d: %(id)s is not in the catalogue.")
                % {"l": line, "id": row["replaces"]}
            )
        args["replaces"] = standard
    if row.get("due_on"):
        try:
            args["due_on"] = datetime.date.fromisoformat(row["due_on"][:10])
        except ValueError as exc:
            raise ApplicationError(
                _("Line %(l)d: the date %(d)s is not YYYY-MM-DD.")
                % {"l": line, "d": row["due_on"]}
            ) from exc
    return args


class _DryRun(Exception):
    pass


def plan_import(
    *, rows: list[dict[str, str]], actor=None, dry_run: bool = False, progress=None
) -> PlanImport:
    """Create one approved project per row, all or nothing."""
    result = PlanImport(rows=len(rows), dry_run=dry_run)
    committees = {c.code: c for c in Committee.objects.all()}
    organisations: dict = {}
    seen: set[str] = set()
    iterator = progress(rows) if progress else rows
    try:
        with transaction.atomic():
            for line, row in enumerate(iterator, start=2):
                try:
                    args = _row_args(
                        row, committees, line, actor=actor, cache=organisations
                    )
                    if args["code"] and args["code"] in seen:
                        raise ApplicationError(
                            _("Line %(l)d: plan number %(c)s appears twice.")
                            % {"l": line, "c": args["code"]}
                        )
                    seen.add(args["code"])
                    with transaction.atomic():
                        project = services.project_create(actor=actor, **args)
                        services.project_transition(
                            project=project,
                            to_state=workflow.APPROVED,
                            actor=actor,
                            comment=_("Imported from the project plan."),
                        )
                except ApplicationError as exc:
                    message = str(exc)
                    if not message.startswith(_("Line")):
                        message = _("Line %(l)d: %(m)s") % {"l": line, "m": message}
                    result.errors.append({"line": line, "error": message})
                    continue
                result.created.append(project.code)
            if result.errors:
                result.created = []
                raise _DryRun
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


__all__ = ["PlanImport", "plan_import", "read_rows"]
