"""Importing and exporting a standard's full text.

``document_import`` reads STS XML, YAML or Markdown, resolves (or catalogues)
the standard, stores clause tree, terms, normative references and the source
file in one transaction, and proposes requirements for staff review. A file
that cannot be read changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.services import relation_add, standard_create
from qihub.core.errors import ApplicationError, Conflict
from qihub.requirements import authoring, extraction, sts
from qihub.requirements.models import (
    Clause,
    Document,
    DocumentEvent,
    NormativeReference,
    Requirement,
    Term,
)
from qihub.requirements.services import (
    check_staff,
    parameter_propose,
    parameter_resolve,
    requirement_create,
    standard_resolve,
)


@dataclass
class ImportResult:
    """What an import did (or would do, on a dry run)."""

    identifier: str
    document: Document | None = None
    created_standard: bool = False
    clauses: int = 0
    terms: int = 0
    references: int = 0
    linked_references: int = 0
    bibliography: int = 0
    tables: int = 0
    proposed: int = 0
    new_parameters: int = 0
    schema_errors: list[str] | None = None
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "document": self.document.pk
            if self.document and self.document.pk
            else None,
            "created_standard": self.created_standard,
            "clauses": self.clauses,
            "terms": self.terms,
            "references": self.references,
            "linked_references": self.linked_references,
            "bibliography": self.bibliography,
            "tables": self.tables,
            "proposed_requirements": self.proposed,
            "new_parameters": self.new_parameters,
            "schema_valid": None
            if self.schema_errors is None
            else not self.schema_errors,
            "schema_errors": self.schema_errors or [],
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }

    def summary(self) -> str:
        verb = _("would import") if self.dry_run else _("imported")
        if self.schema_errors is None:
            schema = _("schema not checked")
        elif not self.schema_errors:
            schema = _("schema valid")
        else:
            schema = _("%(n)d schema errors") % {"n": len(self.schema_errors)}
        return _(
            "%(id)s: %(verb)s %(clauses)d clauses, %(tables)d tables, %(terms)d "
            "terms, %(refs)d normative references (%(linked)d linked), "
            "%(bib)d bibliography entries, %(proposed)d proposed requirements "
            "(%(new)d with a new parameter); %(schema)s."
        ) % {
            "id": self.identifier,
            "verb": verb,
            "clauses": self.clauses,
            "tables": self.tables,
            "terms": self.terms,
            "refs": self.references,
            "linked": self.linked_references,
            "bib": self.bibliography,
            "proposed": self.proposed,
            "new": self.new_parameters,
            "schema": schema,
        }


def detect_format(filename: str, data: bytes) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".xml", ".sts"):
        return Document.Format.STS
    if suffix in (".yaml", ".yml"):
        return Document.Format.YAML
    if suffix in (".md", ".markdown"):
        return Document.Format.MARKDOWN
    head = data.lstrip()[:100]
    if head.startswith(b"<"):
        return Document.Format.STS
    if head.startswith(b"---"):
        return Document.Format.MARKDOWN
    return Document.Format.YAML


def parse_source(data: bytes, fmt: str) -> sts.ParsedDocument:
    """Parse a file of the given format, turning read errors into
    ``ApplicationError`` with the line."""
    try:
        if fmt == Document.Format.STS:
            return sts.parse_sts(data)
        if fmt == Document.Format.YAML:
            return authoring.parse_yaml(data)
        if fmt == Document.Format.MARKDOWN:
            return authoring.parse_markdown(data)
    except sts.StsError as exc:
        raise ApplicationError(
            _("The file was refused: %(reason)s") % {"reason": str(exc)},
            details={"line": exc.line, "reason": str(exc)},
        ) from exc
    raise ApplicationError(_("Unknown source format %(fmt)r.") % {"fmt": fmt})


def _standard_for(parsed: sts.ParsedDocument, actor) -> tuple[Standard, bool]:
    from qihub.catalog.identifiers import IdentifierError, parse

    try:
        ident = parse(parsed.identifier)
    except IdentifierError as exc:
        raise ApplicationError(
            _("The document's identifier %(identifier)r cannot be read: %(reason)s")
            % {"identifier": parsed.identifier, "reason": str(exc)},
            details={"identifier": parsed.identifier},
        ) from exc
    existing = Standard.objects.filter(ident_key=ident.primary.key).first()
    if existing is not None:
        return existing, False
    standard = standard_create(
        actor=actor,
        identifier=ident.primary.canonical,
        title_zh=parsed.title_zh[:500],
        title_en=parsed.title_en[:500],
        source="sts-import",
    )
    return standard, True


def _store(document: Document, parsed: sts.ParsedDocument) -> list[Clause]:
    clauses: list[Clause] = []
    for order, pc in enumerate(parsed.clauses):
        clause = Clause(
            document=document,
            kind=pc.kind,
            number=pc.number[:40],
            title=pc.title[:500],
            text=pc.text,
            html=pc.html,
            tables=[t.as_json() for t in pc.tables],
            order=order,
            depth=pc.depth,
            anchor=pc.anchor[:100] or f"c{order}",
            annex_type=pc.annex_type[:20],
        )
        clauses.append(clause)
    Clause.objects.bulk_create(clauses)
    # bulk_create sets pks on PostgreSQL and SQLite >= 3.35; parents need them.
    if any(c.pk is None for c in clauses):  # pragma: no cover
        clauses = list(Clause.objects.filter(document=document).order_by("order"))
    to_update = []
    for clause, pc in zip(clauses, parsed.clauses, strict=True):
        if pc.parent_index is not None:
            clause.parent = clauses[pc.parent_index]
            to_update.append(clause)
    Clause.objects.bulk_update(to_update, ["parent"])
    Term.objects.bulk_create(
        Term(
            document=document,
            clause=clauses[t.clause_index] if t.clause_index is not None else None,
            number=t.number[:40],
            term=t.term[:300],
            term_en=t.term_en[:300],
            definition=t.definition,
            notes=t.notes,
        )
        for t in parsed.terms
        if t.term
    )
    return clauses


def _link_references(document: Document, parsed: sts.ParsedDocument) -> int:
    linked = 0
    refs = []
    for order, ref in enumerate(parsed.references):
        standard = standard_resolve(ref.identifier)
        linked += standard is not None
        refs.append(
            NormativeReference(
                document=document,
                identifier=ref.identifier[:200],
                title=ref.title[:500],
                standard=standard,
                order=order,
            )
        )
    NormativeReference.objects.bulk_create(refs)
    return linked


class ProposalCounts(NamedTuple):
    proposed: int
    new_parameters: int


def propose_requirements(
    *, document: Document, clauses: list[Clause], actor=None
) -> ProposalCounts:
    """Run extraction over the stored clauses and record proposals. A limit
    on a parameter outside the vocabulary is attached to a *new* parameter
    named as printed, for staff to map."""
    count = new = 0
    # Same limit for two products (two columns of one row) are two requirements.
    existing = {
        (
            r.clause_id,
            r.parameter.key,
            r.operator,
            r.value,
            r.upper,
            r.unit,
            r.subject,
            tuple(sorted((r.conditions or {}).items())),
        )
        for r in Requirement.objects.filter(standard=document.standard).select_related(
            "parameter"
        )
    }
    for clause in clauses:
        if clause.kind == Clause.Kind.TERMS:
            continue
        method = extraction.test_method_in(clause.text)
        for p in extraction.extract_clause(
            clause.text, clause.tables, title=clause.title
        ):
            parameter = parameter_resolve(p.parameter)
            if parameter is None and p.new_parameter:
                parameter = parameter_propose(name=p.parameter, unit=p.unit)
            if parameter is None:
                continue
            key = (
                clause.pk,
                parameter.key,
                p.operator,
                p.value,
                p.upper,
                p.unit,
                p.subject[:200],
                tuple(sorted(p.conditions.items())),
            )
            if key in existing:
                continue
            existing.add(key)
            requirement_create(
                standard=document.standard,
                clause=clause,
                parameter=parameter,
                operator=p.operator,
                value=p.value,
                upper=p.upper,
                unit=p.unit,
                kind=p.kind,
                conditions=p.conditions,
                subject=p.subject[:200],
                test_method=method,
                source_text=p.source_text,
                status=Requirement.Status.PROPOSED,
                origin=(
                    Requirement.Origin.TABLE
                    if p.origin == "table"
                    else Requirement.Origin.SENTENCE
                ),
                actor=None,
            )
            count += 1
            new += parameter.is_new
    return ProposalCounts(count, new)


class _DryRun(Exception):
    pass


def document_import(
    *,
    data: bytes,
    filename: str,
    actor=None,
    fmt: str | None = None,
    replace: bool = False,
    extract: bool = True,
    validate_schema: bool = True,
    dry_run: bool = False,
) -> ImportResult:
    """Import a standard's full text.

    The standard is found in the catalogue by the document's identifier, or
    catalogued. Re-importing a document that exists needs ``replace=True``:
    the clause tree is rebuilt and confirmed requirements are re-attached to
    the clause with the same number. ``dry_run`` parses, checks and rolls back.
    """
    check_staff(actor)
    fmt = fmt or detect_format(filename, data)
    parsed = parse_source(data, fmt)
    schema_errors = None
    if fmt == Document.Format.STS and validate_schema and sts.schema_available():
        schema_errors = sts.validate(data)
    result = ImportResult(identifier=parsed.identifier, schema_errors=schema_errors)
    result.warnings = list(parsed.warnings)
    result.dry_run = dry_run
    try:
        with transaction.atomic():
            _import(parsed, data, filename, fmt, actor, replace, extract, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        result.document = None
    return result


def _import(parsed, data, filename, fmt, actor, replace, extract, result) -> None:
    standard, created = _standard_for(parsed, actor)
    result.created_standard = created
    result.identifier = standard.identifier
    document = Document.objects.filter(standard=standard).first()
    reattach: dict[int, str] = {}
    event_type = DocumentEvent.Type.IMPORTED
    if document is not None:
        if not replace:
            raise Conflict(
                _("%(identifier)s already has its full text; re-import with replace.")
                % {"identifier": standard.identifier},
            )
        event_type = DocumentEvent.Type.REIMPORTED
        reattach = dict(
            Requirement.objects.filter(
                standard=standard, clause__isnull=False
            ).values_list("pk", "clause__number")
        )
        document.clauses.all().delete()
        document.terms.all().delete()
        document.references.all().delete()
    else:
        document = Document(standard=standard)
    document.source_format = fmt
    document.source_name = Path(filename).name[:255]
    document.language = parsed.language[:10]
    document.title = (parsed.title_zh or parsed.title_en)[:500]
    document.adopted_identifier = parsed.adopted_identifier[:200]
    document.imported_by = actor if getattr(actor, "is_authenticated", False) else None
    document.save()
    document.source_file.save(
        Path(filename).name or "source", ContentFile(data), save=False
    )
    clauses = _store(document, parsed)
    by_number = {c.number: c for c in clauses if c.number}
    for pk, number in reattach.items():
        Requirement.objects.filter(pk=pk).update(clause=by_number.get(number))
    result.clauses = len(clauses)
    result.tables = sum(len(pc.tables) for pc in parsed.clauses)
    result.terms = len(parsed.terms)
    result.references = len(parsed.references)
    result.bibliography = len(parsed.bibliography)
    result.linked_references = _link_references(document, parsed)
    if parsed.adopted_identifier:
        warning = _link_adoption(
            standard, parsed.adopted_identifier, parsed.adoption_degree or "IDT", actor
        )
        if warning:
            result.warnings.append(warning)
    if extract:
        result.proposed, result.new_parameters = propose_requirements(
            document=document, clauses=clauses, actor=actor
        )
        if result.new_parameters:
            result.warnings.append(
                _(
                    "%(n)d proposed requirements limit a parameter outside the "
                    "vocabulary (marked new parameter): map them in the review."
                )
                % {"n": result.new_parameters}
            )
    document.report = result.as_dict() | {
        "source_format": fmt,
        # Kept apart: the bibliography is not the normative references.
        "bibliography_entries": [
            {"identifier": r.identifier, "title": r.title} for r in parsed.bibliography
        ],
    }
    document.save()
    result.document = document
    DocumentEvent.objects.create(
        document=document,
        type=event_type,
        actor=document.imported_by,
        details=document.report,
    )


def _link_adoption(standard: Standard, adopted: str, degree: str, actor) -> str:
    """Record that the national standard (Chinese or foreign: GB, DIN EN ISO,
    BS EN …) adopts the international one when the latter is catalogued;
    returns a warning when the relation could not be recorded."""
    target = standard_resolve(adopted)
    if target is None:
        return _(
            "The adopted standard %(adopted)s is not in the catalogue: the "
            "adoption is not recorded."
        ) % {"adopted": adopted}
    if target.pk == standard.pk:
        return ""
    from qihub.catalog.models import StandardRelation

    if StandardRelation.objects.filter(
        source=standard, target=target, kind=StandardRelation.Kind.ADOPTS
    ).exists():
        return ""
    # The catalogue may refuse (e.g. the target is not international): the
    # import still stands, the relation is simply not recorded.
    try:
        relation_add(
            source=standard,
            target=target,
            kind=StandardRelation.Kind.ADOPTS,
            degree=degree,
            actor=actor,
        )
    except ApplicationError as exc:
        return _("The adoption of %(adopted)s is not recorded: %(reason)s") % {
            "adopted": adopted,
            "reason": str(exc),
        }
    return ""


# --- Export ---------------------------------------------------------------------------


def document_as_dict(document: Document) -> dict[str, Any]:
    """The document as nested data: metadata, clause tree, terms, references."""
    clauses = list(document.clauses.order_by("order"))
    terms = {t.clause_id: t for t in document.terms.all()}
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for c in clauses:
        node = {
            "number": c.number,
            "title": c.title,
            "kind": c.kind,
            "text": c.text,
            "tables": c.tables,
            "anchor": c.anchor,
            "annex_type": c.annex_type,
            "language": document.language,
            "children": [],
        }
        term = terms.get(c.pk)
        if term is not None:
            node["term"] = {
                "term": term.term,
                "term_en": term.term_en,
                "definition": term.definition,
            }
        nodes[c.pk] = node
        if c.parent_id and c.parent_id in nodes:
            nodes[c.parent_id]["children"].append(node)
        else:
            roots.append(node)
    standard = document.standard
    return {
        "identifier": standard.identifier,
        "title_zh": standard.title_zh or document.title,
        "title_en": standard.title_en,
        "language": document.language,
        "adopted_identifier": document.adopted_identifier,
        "clauses": roots,
        "terms": [
            {
                "number": t.number,
                "term": t.term,
                "term_en": t.term_en,
                "definition": t.definition,
            }
            for t in document.terms.all()
        ],
        "references": [
            {
                "identifier": r.identifier,
                "title": r.title,
                "standard": r.standard_id,
            }
            for r in document.references.all()
        ],
        "bibliography": list((document.report or {}).get("bibliography_entries", [])),
    }


def export_sts(document: Document) -> bytes:
    return sts.export_sts(document_as_dict(document))


def export_json(document: Document) -> str:
    return json.dumps(document_as_dict(document), ensure_ascii=False, indent=2)
