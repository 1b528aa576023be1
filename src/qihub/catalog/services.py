"""Writes to the standards catalogue.

Every change goes through these functions, whoever makes it (pages, API,
admin, imports, the lifecycle workflow), so each one is checked the same way
and leaves a ``StandardEvent`` in the standard's history.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog import rules
from qihub.catalog.identifiers import (
    IdentifierError,
    StandardIdentifier,
    parse,
)
from qihub.catalog.models import (
    Standard,
    StandardDraftingUnit,
    StandardEvent,
    StandardRelation,
)
from qihub.catalog.signals import standard_status_changed
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.organisations.profile import counts_changed
from qihub.vocab.models import CcsCode, IcsCode

#: Fields a caller may set through create/update (status has its own rules).
EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "issuing_body",
    "committee",
    "scope",
    "source",
    "external_id",
    "level",
    "nature",
)


def _check_actor(actor) -> None:
    """Catalogue writes are for institute staff; ``None`` is the system itself
    (imports, demo data, scheduled jobs)."""
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(_("Only institute staff may change the catalogue."))


def identifier_parse(text: str) -> StandardIdentifier:
    """Parse an identifier, turning a parse error into a user-facing error."""
    try:
        return parse(text)
    except IdentifierError as exc:
        raise ApplicationError(str(exc), details={"identifier": exc.part}) from exc


def search_text_for_standard(standard: Standard) -> str:
    from qihub.catalog.search_text import search_text_for

    codes = list(standard.ics.values_list("code", flat=True)) if standard.pk else []
    return search_text_for(
        identifier=standard.identifier,
        title_zh=standard.title_zh,
        title_en=standard.title_en,
        ics=codes,
        level=standard.level,
        year=standard.year,
    )


def default_status(
    *,
    level: str,
    implemented_on: datetime.date | None,
    today: datetime.date | None = None,
) -> str:
    """The status a newly catalogued standard has from its dates."""
    today = today or timezone.localdate()
    if implemented_on and implemented_on > today:
        return Standard.Status.TO_BE_IMPLEMENTED
    if level == Standard.Level.INTERNATIONAL and implemented_on is None:
        return Standard.Status.PUBLISHED
    return Standard.Status.IN_FORCE


def _apply_identifier(standard: Standard, ident: StandardIdentifier) -> None:
    primary = ident.primary
    standard.identifier = primary.canonical
    standard.ident_key = primary.key
    standard.base_key = primary.base_key
    standard.prefix = primary.prefix
    standard.number = primary.number
    standard.year = primary.year


def _resolve_ics(codes: Iterable[str]) -> list[IcsCode]:
    codes = [c.strip() for c in codes if c and c.strip()]
    if not codes:
        return []
    found = {c.code: c for c in IcsCode.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ApplicationError(
            _("Unknown ICS code(s): %(codes)s.") % {"codes": ", ".join(missing)},
            details={"ics": missing},
        )
    return [found[c] for c in codes]


def _resolve_ccs(code: str | None) -> CcsCode | None:
    if not code:
        return None
    ccs = CcsCode.objects.filter(code=code.strip()).first()
    if ccs is None:
        raise ApplicationError(
            _("Unknown CCS code: %(code)s.") % {"code": code}, details={"ccs": code}
        )
    return ccs


def _validate(standard: Standard) -> None:
    """Refuse a record that breaks a rule (``catalog.rules``, which every
    import format applies too), with the first problem."""
    problems = rules.standard_problems(standard)
    if problems:
        field, message = problems[0]
        raise ApplicationError(message, details={field: [message]})


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def _event(
    standard: Standard,
    type_: str,
    *,
    actor=None,
    reason: str = "",
    details: dict | None = None,
) -> StandardEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return StandardEvent.objects.create(
        standard=standard, type=type_, actor=actor, reason=reason, details=details or {}
    )


def _notify_status_change(standard: Standard, old_status: str) -> None:
    new_status = standard.status
    if old_status == new_status:
        return
    transaction.on_commit(
        lambda: standard_status_changed.send(
            sender=Standard,
            standard=standard,
            old_status=old_status,
            new_status=new_status,
        )
    )


@transaction.atomic
def standard_create(
    *,
    actor,
    identifier: str,
    title_zh: str = "",
    title_en: str = "",
    status: str | None = None,
    level: str | None = None,
    nature: str | None = None,
    issued_on: datetime.date | None = None,
    implemented_on: datetime.date | None = None,
    withdrawn_on: datetime.date | None = None,
    ics: Iterable[str] = (),
    ccs: str | None = None,
    issuing_body: str = "",
    committee: str = "",
    scope: str = "",
    source: str = "manual",
    external_id: str = "",
    reason: str = "",
) -> Standard:
    """Catalogue one edition of a standard.

    Level and nature follow from the identifier unless given. A double number
    (``GB/T 19001-2016/ISO 9001:2015``) records an identical adoption of the
    international standard when that one is in the catalogue. A record that
    is *referenced only* (another record cites or replaces it) is upgraded in
    place: it keeps its id and relations and gets the given metadata.
    """
    _check_actor(actor)
    ident = identifier_parse(identifier)
    placeholder = Standard.objects.filter(ident_key=ident.primary.key).first()
    if placeholder is not None and not placeholder.referenced_only:
        raise Conflict(
            _("%(identifier)s is already in the catalogue.")
            % {"identifier": ident.primary.canonical},
            details={"identifier": "exists"},
        )
    level = level or ident.level
    values = {
        "title_zh": title_zh.strip(),
        "title_en": title_en.strip(),
        "level": level,
        "nature": nature or ident.nature,
        "issued_on": issued_on,
        "implemented_on": implemented_on,
        "withdrawn_on": withdrawn_on,
        "issuing_body": issuing_body,
        "committee": committee,
        "scope": scope,
        "source": source,
        "external_id": external_id,
        "status": status or default_status(level=level, implemented_on=implemented_on),
    }
    if placeholder is not None:
        return _placeholder_upgrade(
            placeholder, ident, values, ics=ics, ccs=ccs, actor=actor, reason=reason
        )
    standard = Standard(**values)
    _apply_identifier(standard, ident)
    ics_codes = _resolve_ics(ics)
    standard.ccs = _resolve_ccs(ccs)
    _validate(standard)
    standard.search_text = search_text_for_standard(standard)
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError as exc:
        raise Conflict(
            _("%(identifier)s is already in the catalogue.")
            % {"identifier": standard.identifier}
        ) from exc
    if ics_codes:
        standard.ics.set(ics_codes)
    _event(
        standard,
        StandardEvent.Type.CREATED,
        actor=actor,
        reason=reason,
        details={
            "identifier": [None, standard.identifier],
            "status": [None, standard.status],
        },
    )
    if ident.adopted is not None:
        adopted = Standard.objects.filter(ident_key=ident.adopted.key).first()
        if adopted is not None:
            relation_add(
                source=standard,
                target=adopted,
                kind=StandardRelation.Kind.ADOPTS,
                degree=StandardRelation.Degree.IDT,
                actor=actor,
            )
    return standard


def _placeholder_upgrade(
    standard: Standard,
    ident: StandardIdentifier,
    values: dict[str, Any],
    *,
    ics: Iterable[str],
    ccs: str | None,
    actor,
    reason: str,
) -> Standard:
    """``standard_create`` of a record that was referenced only: the same row
    (its relations stay) with the real metadata; the history says so."""
    old_status = standard.status
    for name, value in values.items():
        setattr(standard, name, value)
    _apply_identifier(standard, ident)
    standard.referenced_only = False
    ics_codes = _resolve_ics(ics)
    standard.ccs = _resolve_ccs(ccs)
    _validate(standard)
    standard.ics.set(ics_codes)
    standard.search_text = search_text_for_standard(standard)
    standard.save()
    _event(
        standard,
        StandardEvent.Type.UPDATED,
        actor=actor,
        reason=reason or _("Catalogued: it was referenced only."),
        details={
            "referenced_only": [True, False],
            "status": [old_status, standard.status],
        },
    )
    return standard


@transaction.atomic
def standard_update(
    *,
    standard: Standard,
    actor,
    reason: str = "",
    identifier: str | None = None,
    ics: Iterable[str] | None = None,
    ccs: str | None = None,
    status: str | None = None,
    **fields: Any,
) -> Standard:
    """Edit a standard's metadata; the history records each field's old and new value.

    Withdrawal and replacement have their own services, because they change
    other records too.
    """
    _check_actor(actor)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be edited: %(f)s.")
            % {"f": ", ".join(sorted(unknown))}
        )
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    old_status = standard.status
    changes: dict[str, list] = {}
    if identifier is not None:
        ident = identifier_parse(identifier)
        if ident.primary.key != standard.ident_key:
            if (
                Standard.objects.filter(ident_key=ident.primary.key)
                .exclude(pk=standard.pk)
                .exists()
            ):
                raise Conflict(
                    _("%(identifier)s is already in the catalogue.")
                    % {"identifier": ident.primary.canonical}
                )
            changes["identifier"] = [standard.identifier, ident.primary.canonical]
            _apply_identifier(standard, ident)
    for name, value in fields.items():
        if value is None and not Standard._meta.get_field(name).null:
            message = _("%(field)s cannot be empty (null); send a text.") % {
                "field": name
            }
            raise ApplicationError(message, status=422, details={name: [message]})
        if isinstance(value, str):
            value = value.strip()
        old = getattr(standard, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(standard, name, value)
    if ccs is not None:
        new_ccs = _resolve_ccs(ccs)
        if standard.ccs_id != (new_ccs.pk if new_ccs else None):
            changes["ccs"] = [standard.ccs_id, new_ccs.pk if new_ccs else None]
            standard.ccs = new_ccs
    if status is not None and status != standard.status:
        if status in (Standard.Status.WITHDRAWN, Standard.Status.REPLACED):
            raise ApplicationError(
                _("Use withdrawal or replacement to end a standard's validity.")
            )
        changes["status"] = [standard.status, status]
        standard.status = status
    ics_codes = None
    if ics is not None:
        ics_codes = _resolve_ics(ics)
        old_codes = sorted(standard.ics.values_list("code", flat=True))
        new_codes = sorted(c.code for c in ics_codes)
        if old_codes != new_codes:
            changes["ics"] = [old_codes, new_codes]
        else:
            ics_codes = None
    if not changes:
        return standard
    _validate(standard)
    standard.search_text = search_text_for_standard(standard)
    standard.save()
    if ics_codes is not None:
        standard.ics.set(ics_codes)
    event_type = (
        StandardEvent.Type.STATUS_CHANGED
        if set(changes) == {"status"}
        else StandardEvent.Type.UPDATED
    )
    _event(standard, event_type, actor=actor, reason=reason, details=changes)
    _notify_status_change(standard, old_status)
    return standard


@transaction.atomic
def standard_withdraw(
    *, standard: Standard, actor, reason: str, on: datetime.date | None = None
) -> Standard:
    """Abolish a standard (废止) without a successor. It stays in the catalogue,
    with status *withdrawn* from ``on`` (default today)."""
    _check_actor(actor)
    if not (reason or "").strip():
        raise ApplicationError(_("Give a reason for the withdrawal."))
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.status in (Standard.Status.WITHDRAWN, Standard.Status.REPLACED):
        raise Conflict(
            _("%(identifier)s is already %(status)s.")
            % {
                "identifier": standard.identifier,
                "status": standard.get_status_display(),
            }
        )
    on = on or timezone.localdate()
    if standard.issued_on and on < standard.issued_on:
        raise ApplicationError(
            _("The withdrawal date cannot be before the issue date.")
        )
    old_status = standard.status
    standard.status = Standard.Status.WITHDRAWN
    standard.withdrawn_on = on
    standard.save(update_fields=["status", "withdrawn_on", "updated_at"])
    _event(
        standard,
        StandardEvent.Type.WITHDRAWN,
        actor=actor,
        reason=reason,
        details={
            "status": [old_status, standard.status],
            "withdrawn_on": [None, on.isoformat()],
        },
    )
    _notify_status_change(standard, old_status)
    return standard


@transaction.atomic
def standard_replace(
    *,
    old: Standard,
    new: Standard,
    actor,
    partial: bool = False,
    reason: str = "",
    on: datetime.date | None = None,
) -> StandardRelation:
    """Record that ``new`` replaces ``old`` (wholly, or partly with ``partial``).

    A whole replacement ends the old edition's validity: status *replaced*,
    withdrawn on ``on`` (default: the new one's implementation date, else
    today). A partial replacement leaves the old one in force. Both histories
    record it.
    """
    _check_actor(actor)
    if old.pk == new.pk:
        raise ApplicationError(_("A standard cannot replace itself."))
    kind = (
        StandardRelation.Kind.PARTIALLY_REPLACES
        if partial
        else StandardRelation.Kind.REPLACES
    )
    if StandardRelation.objects.filter(source=new, target=old, kind=kind).exists():
        raise Conflict(
            _("%(new)s already %(kind)s %(old)s.")
            % {"new": new.identifier, "kind": kind.label, "old": old.identifier}
        )
    if StandardRelation.objects.filter(
        source=old, target=new, kind__in=[StandardRelation.Kind.REPLACES]
    ).exists():
        raise ApplicationError(
            _("%(old)s replaces %(new)s already; the replacement cannot go both ways.")
            % {"old": old.identifier, "new": new.identifier}
        )
    relation = StandardRelation.objects.create(
        source=new, target=old, kind=kind, note=reason[:500]
    )
    old = Standard.objects.select_for_update().get(pk=old.pk)
    old_status = old.status
    if not partial and old.status != Standard.Status.REPLACED:
        on = on or new.implemented_on or timezone.localdate()
        old.status = Standard.Status.REPLACED
        if old.withdrawn_on is None:
            old.withdrawn_on = on
        old.save(update_fields=["status", "withdrawn_on", "updated_at"])
        _event(
            old,
            StandardEvent.Type.REPLACED,
            actor=actor,
            reason=reason,
            details={
                "status": [old_status, old.status],
                "replaced_by": [None, new.identifier],
                "withdrawn_on": [None, old.withdrawn_on.isoformat()],
            },
        )
        _notify_status_change(old, old_status)
    else:
        _event(
            old,
            StandardEvent.Type.RELATION_ADDED,
            actor=actor,
            reason=reason,
            details={
                "partially_replaced_by" if partial else "replaced_by": [
                    None,
                    new.identifier,
                ]
            },
        )
    _event(
        new,
        StandardEvent.Type.RELATION_ADDED,
        actor=actor,
        reason=reason,
        details={kind.value: [None, old.identifier]},
    )
    return relation


@transaction.atomic
def relation_add(
    *,
    source: Standard,
    target: Standard,
    kind: str,
    actor,
    degree: str = "",
    note: str = "",
) -> StandardRelation:
    """Relate two standards: ``source`` adopts (IDT/MOD/NEQ) or normatively
    cites ``target``; replacements go through :func:`standard_replace`."""
    _check_actor(actor)
    if kind not in StandardRelation.Kind.values:
        raise ApplicationError(_("Unknown relation kind: %(k)s.") % {"k": kind})
    if kind in (
        StandardRelation.Kind.REPLACES,
        StandardRelation.Kind.PARTIALLY_REPLACES,
    ):
        return standard_replace(
            old=target,
            new=source,
            actor=actor,
            partial=kind == StandardRelation.Kind.PARTIALLY_REPLACES,
            reason=note,
        )
    if source.pk == target.pk:
        raise ApplicationError(_("A standard cannot relate to itself."))
    if kind == StandardRelation.Kind.ADOPTS:
        if degree not in StandardRelation.Degree.values:
            raise ApplicationError(
                _("An adoption needs its degree of correspondence: IDT, MOD or NEQ.")
            )
        # A domestic standard adopts an international one or, as GB/T often
        # did, a foreign one (EN, ASTM, JIS ...); never another Chinese one.
        if target.level not in (
            Standard.Level.INTERNATIONAL,
            Standard.Level.FOREIGN_REGIONAL,
            Standard.Level.FOREIGN_NATIONAL,
        ):
            raise ApplicationError(
                _("Only an international standard can be adopted; %(t)s is %(level)s.")
                % {"t": target.identifier, "level": target.get_level_display()}
            )
    elif degree:
        raise ApplicationError(_("Only an adoption has a degree of correspondence."))
    if StandardRelation.objects.filter(
        source=source, target=target, kind=kind
    ).exists():
        raise Conflict(
            _("%(s)s already %(kind)s %(t)s.")
            % {
                "s": source.identifier,
                "kind": StandardRelation.Kind(kind).label,
                "t": target.identifier,
            }
        )
    relation = StandardRelation.objects.create(
        source=source, target=target, kind=kind, degree=degree, note=note[:500]
    )
    label = f"{kind} {degree}".strip()
    _event(
        source,
        StandardEvent.Type.RELATION_ADDED,
        actor=actor,
        reason=note,
        details={label: [None, target.identifier]},
    )
    _event(
        target,
        StandardEvent.Type.RELATION_ADDED,
        actor=actor,
        reason=note,
        details={f"{label} (by)": [None, source.identifier]},
    )
    return relation


@transaction.atomic
def relation_remove(*, relation: StandardRelation, actor, reason: str) -> None:
    """Remove a relation entered by mistake. The histories keep a record of it;
    a replacement's effect on status is not undone (edit the status if needed)."""
    _check_actor(actor)
    if not (reason or "").strip():
        raise ApplicationError(_("Give a reason for removing the relation."))
    for std, other in (
        (relation.source, relation.target),
        (relation.target, relation.source),
    ):
        _event(
            std,
            StandardEvent.Type.RELATION_REMOVED,
            actor=actor,
            reason=reason,
            details={relation.kind: [other.identifier, None]},
        )
    relation.delete()


@transaction.atomic
def standards_refresh_statuses(*, today: datetime.date | None = None) -> int:
    """Standards whose implementation date has come move from *to be
    implemented* to *in force*. Run daily by the scheduler."""
    today = today or timezone.localdate()
    due = list(
        Standard.objects.select_for_update().filter(
            status=Standard.Status.TO_BE_IMPLEMENTED, implemented_on__lte=today
        )
    )
    for standard in due:
        standard.status = Standard.Status.IN_FORCE
        standard.save(update_fields=["status", "updated_at"])
        _event(
            standard,
            StandardEvent.Type.STATUS_CHANGED,
            reason=_("Implementation date reached."),
            details={
                "status": [Standard.Status.TO_BE_IMPLEMENTED, Standard.Status.IN_FORCE]
            },
        )
        _notify_status_change(standard, Standard.Status.TO_BE_IMPLEMENTED)
    return len(due)


@transaction.atomic
def standard_set_drafting_units(
    *, standard: Standard, organisations: Iterable, actor, reason: str = ""
) -> list:
    """Set the organisations that drafted a standard, in the standard's order
    (the first drafting unit first); each organisation once. The history
    records the old and new lists (organisation ids)."""
    _check_actor(actor)
    orgs = []
    seen: set[int] = set()
    for org in organisations:
        if org is None or org.pk in seen:
            continue
        seen.add(org.pk)
        orgs.append(org)
    old = list(
        standard.drafting_units.order_by("position").values_list(
            "organisation_id", flat=True
        )
    )
    new = [org.pk for org in orgs]
    if old == new:
        return orgs
    standard.drafting_units.all().delete()
    StandardDraftingUnit.objects.bulk_create(
        StandardDraftingUnit(standard=standard, organisation=org, position=i)
        for i, org in enumerate(orgs, start=1)
    )
    counts_changed()  # bulk_create sends no signal
    _event(
        standard,
        StandardEvent.Type.UPDATED,
        actor=actor,
        reason=reason,
        details={"drafting_units": [old, new]},
    )
    return orgs
