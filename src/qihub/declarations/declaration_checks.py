"""The automatic checks run on a declaration version.

1. Every cited standard exists in the catalogue and is in force; a withdrawn
   or replaced one is flagged with its replacement. An enterprise's own Q/
   standard need not be in the catalogue.
2. The declared indicators are not weaker than any applicable mandatory (GB)
   requirement: those of the cited mandatory standards and those of valid
   mandatory standards about the product category. The requirement engine's
   ``compare_requirement_sets`` decides, with unit conversion.
3. Mandatory parameters the declaration does not state are listed.

Results are a list of JSON-able items ``{"code", "severity", ...}``;
``issue_message`` renders one in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from qihub.catalog.models import Standard, StandardRelation
from qihub.declarations.models import Declaration, DeclarationVersion, DeclaredStandard

ERROR = "error"
WARNING = "warning"

#: Issue codes about a cited standard; the bulk re-check replaces these.
STANDARD_CODES = (
    "standard_missing",
    "standard_not_in_force",
    "standard_withdrawn",
    "standard_replaced",
)


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check run: overall status and the items found."""

    status: str
    items: list[dict]
    citations: list = field(default_factory=list)


def replacement_for(standard: Standard) -> Standard | None:
    """The newest standard that wholly replaces ``standard``, if any."""
    rel = (
        StandardRelation.objects.filter(
            target=standard, kind=StandardRelation.Kind.REPLACES
        )
        .select_related("source")
        .order_by("-source__year", "-id")
        .first()
    )
    return rel.source if rel else None


def citation_flag(
    standard: Standard | None, identifier: str
) -> tuple[str, Standard | None]:
    """The flag of one citation and the replacement of a superseded standard."""
    if standard is None:
        if identifier.strip().upper().startswith("Q/"):
            return DeclaredStandard.Flag.OWN, None
        return DeclaredStandard.Flag.MISSING, None
    if standard.is_valid:
        return DeclaredStandard.Flag.OK, None
    if standard.status in (Standard.Status.REPLACED, Standard.Status.WITHDRAWN):
        replacement = replacement_for(standard)
        if replacement is not None or standard.status == Standard.Status.REPLACED:
            return DeclaredStandard.Flag.REPLACED, replacement
        return DeclaredStandard.Flag.WITHDRAWN, None
    return DeclaredStandard.Flag.NOT_IN_FORCE, None


def citation_item(
    flag: str, identifier: str, replacement: Standard | None, status: str = ""
) -> dict | None:
    """The check item for a citation flag (None when there is nothing to say)."""
    if flag in (DeclaredStandard.Flag.OK, DeclaredStandard.Flag.OWN):
        return None
    code = {
        DeclaredStandard.Flag.MISSING: "standard_missing",
        DeclaredStandard.Flag.NOT_IN_FORCE: "standard_not_in_force",
        DeclaredStandard.Flag.WITHDRAWN: "standard_withdrawn",
        DeclaredStandard.Flag.REPLACED: "standard_replaced",
    }[flag]
    return {
        "code": code,
        "severity": ERROR,
        "identifier": identifier,
        "replacement": replacement.identifier if replacement else "",
        "status": status,
    }


def _mandatory_specs(version: DeclarationVersion, cited: Iterable[Standard]) -> list:
    from qihub.requirements.selectors import (
        mandatory_requirements,
        requirements_for_standards,
    )

    mandatory_ids = [s.pk for s in cited if s.is_mandatory and s.is_valid]
    reqs = list(requirements_for_standards(mandatory_ids)) if mandatory_ids else []
    seen = {r.pk for r in reqs}
    if version.category:
        for req in mandatory_requirements(subject=version.category).exclude(subject=""):
            if req.pk not in seen:
                reqs.append(req)
    specs = []
    for req in reqs:
        if req.kind != "shall":
            continue
        spec = req.to_spec()
        specs.append((spec, req.standard.identifier))
    return specs


def _fmt_spec(spec) -> str:
    return spec.describe()[len(spec.parameter) :].strip()


def run(version: DeclarationVersion) -> CheckOutcome:
    """Run every check on one declaration version (reads only; the caller stores it).

    Also refreshes ``flag``/``replacement`` on the version's citations in memory;
    the caller saves them.
    """
    from qihub.requirements.checks import (
        INCOMPARABLE,
        ONLY_B,
        WEAKER,
        compare_requirement_sets,
    )

    items: list[dict] = []
    citations = list(version.standards.select_related("standard"))
    cited = []
    for citation in citations:
        flag, replacement = citation_flag(citation.standard, citation.identifier)
        citation.flag = flag
        citation.replacement = replacement
        item = citation_item(
            flag,
            citation.identifier,
            replacement,
            citation.standard.status if citation.standard else "",
        )
        if item:
            items.append(item)
        if citation.standard is not None:
            cited.append(citation.standard)
    if not citations:
        items.append({"code": "no_standard", "severity": ERROR})
    declared = [ind.to_spec() for ind in version.indicators.all()]
    mandatory = _mandatory_specs(version, cited)
    source = {id(spec): ident for spec, ident in mandatory}
    for row in compare_requirement_sets(declared, [spec for spec, _ident in mandatory]):
        standard_id = source.get(id(row.b), "") if row.b is not None else ""
        if row.verdict == WEAKER:
            items.append(
                {
                    "code": "indicator_weaker",
                    "severity": ERROR,
                    "parameter": row.parameter,
                    "declared": _fmt_spec(row.a),
                    "required": _fmt_spec(row.b),
                    "standard": standard_id,
                }
            )
        elif row.verdict == ONLY_B:
            items.append(
                {
                    "code": "mandatory_missing",
                    "severity": ERROR,
                    "parameter": row.parameter,
                    "required": _fmt_spec(row.b),
                    "standard": standard_id,
                }
            )
        elif row.verdict == INCOMPARABLE:
            items.append(
                {
                    "code": "incomparable",
                    "severity": WARNING,
                    "parameter": row.parameter,
                    "reason": row.reason,
                    "standard": standard_id,
                }
            )
    return CheckOutcome(status=status_for(items), items=items, citations=citations)


def status_for(items: Iterable[dict]) -> str:
    """Flagged when any item is an error."""
    if any(item.get("severity") == ERROR for item in items):
        return Declaration.Check.FLAGGED
    return Declaration.Check.OK


def issue_message(item: dict) -> str:
    """One check item as a sentence in the active language."""
    code = item.get("code")
    if code == "standard_missing":
        return (
            _("%(identifier)s is not in the standards catalogue: check the identifier.")
            % item
        )
    if code == "standard_not_in_force":
        return _("%(identifier)s is not in force.") % item
    if code == "standard_withdrawn":
        return (
            _("%(identifier)s has been withdrawn; declare a standard in force.") % item
        )
    if code == "standard_replaced":
        if item.get("replacement"):
            return _("%(identifier)s has been replaced by %(replacement)s.") % item
        return _("%(identifier)s has been replaced.") % item
    if code == "no_standard":
        return _("The declaration cites no standard.")
    if code == "indicator_weaker":
        return (
            _(
                "%(parameter)s: the declared %(declared)s is weaker than the mandatory "
                "%(required)s of %(standard)s."
            )
            % item
        )
    if code == "mandatory_missing":
        return (
            _(
                "%(parameter)s is limited by %(standard)s (%(required)s) but not declared."
            )
            % item
        )
    if code == "incomparable":
        return (
            _("%(parameter)s cannot be compared with %(standard)s: %(reason)s") % item
        )
    return str(item)
