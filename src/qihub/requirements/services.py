"""Writes for machine-readable standards: parameters, requirements, review.

Document imports live in ``fulltext.py`` (they are long); everything else
that changes this domain's data goes through the functions here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.core.actors import require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.requirements import units
from qihub.requirements.checks import OPERATORS
from qihub.requirements.models import (
    Clause,
    Parameter,
    Requirement,
    RequirementEvent,
)
from qihub.requirements.parameters import BUILTIN, fold

#: Fields a reviewer may correct on a proposed or confirmed requirement.
CORRECTABLE = (
    "kind",
    "subject",
    "operator",
    "value",
    "upper",
    "values",
    "unit",
    "conditions",
    "test_method",
)


def check_staff(actor) -> None:
    """Requirement data is maintained by institute staff; ``None`` is the
    system itself (imports, demo data)."""
    require_staff(actor, _("Only institute staff may change requirement data."))


def parameters_load(parameter_model=Parameter) -> int:
    """Make sure the built-in parameter vocabulary is in the database. It runs
    from a data migration and after every migrate or flush (``post_migrate``),
    never from a read. The model can be passed in so the data migration uses
    its historical model."""
    existing = set(parameter_model.objects.values_list("key", flat=True))
    new = []
    for key, zh, en, unit, synonyms in BUILTIN:
        if key in existing:
            continue
        dimension = ""
        try:
            dimension = units.dimension_of(unit)
        except units.UnitError:
            dimension = ""
        new.append(
            parameter_model(
                key=key,
                name_zh=zh,
                name_en=en,
                default_unit=unit,
                synonyms=synonyms,
                dimension=dimension,
            )
        )
    parameter_model.objects.bulk_create(new, ignore_conflicts=True)
    _lookup_cache.clear()
    return len(new)


_lookup_cache: dict[str, str] = {}


def _lookup_table() -> dict[str, str]:
    if not _lookup_cache:
        for key, zh, en, synonyms in Parameter.objects.values_list(
            "key", "name_zh", "name_en", "synonyms"
        ):
            for name in [key, zh, en, *(synonyms or [])]:
                if name:
                    _lookup_cache.setdefault(fold(name), key)
    return _lookup_cache


def parameter_resolve(text: str) -> Parameter | None:
    """The parameter a name stands for ("甲醛含量", "formaldehyde content",
    "formaldehyde"), or None. Tries the key, names and synonyms, then the
    name with a trailing 含量/content/value removed."""
    if not text or not text.strip():
        return None
    table = _lookup_table()
    folded = fold(text)
    candidates = [folded]
    for suffix in ("含量", "content", "value", "值", "的含量", "限量"):
        if folded.endswith(suffix) and len(folded) > len(suffix):
            candidates.append(folded[: -len(suffix)])
    for prefix in ("游离", "总", "total", "free"):
        if folded.startswith(prefix):
            candidates.append(folded[len(prefix) :])
    for attempt in range(2):
        for candidate in candidates:
            key = table.get(candidate)
            if key:
                param = Parameter.objects.filter(key=key).first()
                if param is not None:
                    return param
        if attempt == 0:
            # The vocabulary may have grown since the table was built.
            _lookup_cache.clear()
            table = _lookup_table()
    return None


def parameter_propose(*, name: str, unit: str = "") -> Parameter:
    """The *new* parameter for a name outside the vocabulary, created on first
    use; extraction attaches the limits it found to it for staff to map."""
    name = name.strip()[:200]
    slug = slugify(name)[:60]
    if len(slug) < 3:  # Chinese names have no ASCII slug
        slug = hashlib.sha1(name.encode()).hexdigest()[:12]  # noqa: S324
    key = f"new-{slug}"
    cjk = any("\u4e00" <= c <= "\u9fff" for c in name)
    parameter, _created = Parameter.objects.get_or_create(
        key=key,
        defaults={
            "name_zh": name if cjk else "",
            "name_en": "" if cjk else name,
            "synonyms": [name],
            "default_unit": unit[:40],
            "is_new": True,
        },
    )
    return parameter


@transaction.atomic
def parameter_map(*, parameter: Parameter, target: Parameter, actor) -> int:
    """Map a new parameter onto a vocabulary one: its requirements move to
    ``target`` (each records the correction), its name becomes a synonym of
    ``target`` so the next extraction knows it, and the new one is removed.
    Returns how many requirements moved."""
    check_staff(actor)
    if not parameter.is_new:
        raise ApplicationError(
            _("%(p)s is not a new parameter; only new ones are mapped.")
            % {"p": parameter.name}
        )
    if target.pk == parameter.pk or target.is_new:
        raise ApplicationError(_("Map a new parameter onto a known parameter."))
    moved = 0
    for requirement in Requirement.objects.filter(parameter=parameter):
        requirement.parameter = target
        requirement.save(update_fields=["parameter", "updated_at"])
        _event(
            requirement,
            RequirementEvent.Type.CORRECTED,
            actor=actor,
            reason=_("New parameter mapped"),
            details={"parameter": [parameter.key, target.key]},
        )
        moved += 1
    names = [n for n in (parameter.name_zh, parameter.name_en) if n]
    target.synonyms = list(dict.fromkeys([*(target.synonyms or []), *names]))
    target.save(update_fields=["synonyms", "updated_at"])
    parameter.delete()
    _lookup_cache.clear()
    return moved


@transaction.atomic
def parameter_keep(*, parameter: Parameter, actor, key: str = "") -> Parameter:
    """Keep a new parameter as a vocabulary parameter of its own: the mark
    is cleared and, when given, its key replaced by a readable slug. Its
    requirements stay attached."""
    check_staff(actor)
    if not parameter.is_new:
        raise ApplicationError(
            _("%(p)s is not a new parameter; only new ones are mapped.")
            % {"p": parameter.name}
        )
    key = (key or "").strip()
    if key:
        if slugify(key) != key or len(key) > 80:
            raise ApplicationError(
                _("key: use lower-case letters, digits and hyphens only."),
                details={"key": "invalid"},
            )
        if Parameter.objects.filter(key=key).exclude(pk=parameter.pk).exists():
            raise ApplicationError(
                _("key: %(key)s is already a parameter.") % {"key": key},
                details={"key": "duplicate"},
            )
        old_key = parameter.key
        parameter.key = key
    else:
        old_key = parameter.key
    parameter.is_new = False
    parameter.save(update_fields=["key", "is_new", "updated_at"])
    for requirement in Requirement.objects.filter(parameter=parameter):
        _event(
            requirement,
            RequirementEvent.Type.CORRECTED,
            actor=actor,
            reason=_("New parameter kept in the vocabulary"),
            details={"parameter": [old_key, parameter.key]},
        )
    _lookup_cache.clear()
    return parameter


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ApplicationError(
            _("%(field)s must be a number, not %(value)r.")
            % {"field": field, "value": value},
            details={field: "invalid"},
        ) from exc
    if not number.is_finite():
        raise ApplicationError(
            _("%(field)s must be a finite number.") % {"field": field}
        )
    return number


def _clean(data: dict) -> dict:
    """Validate one requirement's fields, raising ``ApplicationError``."""
    op = data.get("operator")
    if op not in OPERATORS:
        raise ApplicationError(
            _("Unknown operator %(op)r; use one of %(ops)s.")
            % {"op": op, "ops": ", ".join(OPERATORS)},
            details={"operator": "invalid"},
        )
    if data.get("kind") not in Requirement.Kind.values:
        raise ApplicationError(
            _("Kind must be shall, should or may."), details={"kind": "invalid"}
        )
    data["value"] = _decimal(data.get("value"), "value")
    data["upper"] = _decimal(data.get("upper"), "upper")
    unit_text = data.get("unit") or ""
    if unit_text:
        try:
            data["unit"] = units.normalise_unit(unit_text)
        except units.UnitError as exc:
            raise ApplicationError(
                _("Unknown unit %(unit)r.") % {"unit": unit_text},
                details={"unit": "invalid"},
            ) from exc
    if op in ("<=", "<", ">=", ">", "=") and data["value"] is None:
        raise ApplicationError(_("A limit value is required for %(op)s.") % {"op": op})
    if op == "range":
        if data["value"] is None and data["upper"] is None:
            raise ApplicationError(_("A range needs a lower or an upper bound."))
        if (
            data["value"] is not None
            and data["upper"] is not None
            and data["value"] > data["upper"]
        ):
            raise ApplicationError(_("The lower bound is above the upper bound."))
    if op == "one_of":
        values = [str(v).strip() for v in (data.get("values") or []) if str(v).strip()]
        if not values:
            raise ApplicationError(_("List the allowed values for 'one of'."))
        data["values"] = values
    else:
        data["values"] = []
    if op == "bool" and data["value"] is None:
        data["value"] = Decimal(1)
    conditions = data.get("conditions") or {}
    if not isinstance(conditions, Mapping):
        raise ApplicationError(_("Conditions must be a mapping of name to value."))
    data["conditions"] = {str(k): str(v) for k, v in conditions.items()}
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def _event(requirement, type_, *, actor, reason="", details=None) -> RequirementEvent:
    return RequirementEvent.objects.create(
        requirement=requirement,
        type=type_,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        details=details or {},
    )


@transaction.atomic
def requirement_create(
    *,
    standard: Standard,
    parameter: Parameter | str,
    operator: str,
    value: Decimal | float | str | None = None,
    upper: Decimal | float | str | None = None,
    values: Iterable[str] = (),
    unit: str = "",
    conditions: Mapping[str, str] | None = None,
    kind: str = Requirement.Kind.SHALL,
    subject: str = "",
    clause: Clause | None = None,
    test_method: str = "",
    source_text: str = "",
    status: str = Requirement.Status.CONFIRMED,
    origin: str = Requirement.Origin.MANUAL,
    actor=None,
    reason: str = "",
) -> Requirement:
    """Record one requirement of a standard.

    ``parameter`` is a ``Parameter`` or any name ``parameter_resolve`` knows.
    Entered by hand it is confirmed at once; extraction passes
    ``status="proposed"`` so staff review it.
    """
    check_staff(actor)
    if isinstance(parameter, str):
        resolved = parameter_resolve(parameter)
        if resolved is None:
            raise ApplicationError(
                _(
                    "Unknown parameter %(name)r; add it to the parameter vocabulary first."
                )
                % {"name": parameter},
                details={"parameter": "unknown"},
            )
        parameter = resolved
    if clause is not None and clause.document.standard_id != standard.pk:
        raise ApplicationError(_("The clause belongs to another standard."))
    data = _clean(
        {
            "operator": operator,
            "kind": kind,
            "value": value,
            "upper": upper,
            "values": list(values),
            "unit": unit,
            "conditions": conditions,
        }
    )
    method_standard = None
    if test_method:
        method_standard = standard_resolve(test_method)
    requirement = Requirement.objects.create(
        standard=standard,
        clause=clause,
        parameter=parameter,
        subject=subject.strip(),
        test_method=test_method.strip(),
        test_method_standard=method_standard,
        source_text=source_text,
        status=status,
        origin=origin,
        **data,
    )
    _event(
        requirement,
        RequirementEvent.Type.PROPOSED
        if status == Requirement.Status.PROPOSED
        else RequirementEvent.Type.CREATED,
        actor=actor,
        reason=reason,
        details={k: [None, _jsonable(v)] for k, v in data.items()},
    )
    return requirement


def parameter_keys(names: Iterable[str]) -> dict[str, str]:
    """Parameter keys for many names at once, from the cached vocabulary
    table (no query per name); unknown names map to themselves."""
    table = _lookup_table()
    result = {}
    for name in names:
        folded = fold(name)
        key = table.get(folded)
        if key is None:
            for suffix in ("含量", "content", "value", "值"):
                if folded.endswith(suffix) and folded[: -len(suffix)] in table:
                    key = table[folded[: -len(suffix)]]
                    break
        result[name] = key or name
    return result


def standard_resolve(text: str) -> Standard | None:
    """The catalogue record an identifier points at, dated or undated."""
    try:
        found = standard_get_by_identifier(text)
    except Exception:
        found = None
    if found is not None:
        return found
    from qihub.catalog.identifiers import try_parse

    ident = try_parse(text.strip())
    if ident is None:
        return None
    exact = Standard.objects.filter(ident_key=ident.key).first()
    if exact is not None:
        return exact
    return (
        Standard.objects.filter(base_key=ident.base_key)
        .order_by("-year", "-id")
        .first()
    )


@transaction.atomic
def requirement_confirm(
    *, requirement: Requirement, actor, reason: str = ""
) -> Requirement:
    """Staff accept a proposed requirement as a correct reading of the standard."""
    check_staff(actor)
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if requirement.status == Requirement.Status.CONFIRMED:
        raise Conflict(_("This requirement is already confirmed."))
    old = requirement.status
    requirement.status = Requirement.Status.CONFIRMED
    requirement.save(update_fields=["status", "updated_at"])
    _event(
        requirement,
        RequirementEvent.Type.CONFIRMED,
        actor=actor,
        reason=reason,
        details={"status": [old, requirement.status]},
    )
    return requirement


@transaction.atomic
def requirement_reject(*, requirement: Requirement, actor, reason: str) -> Requirement:
    """Staff reject a requirement (a misreading); it stays on record, rejected."""
    check_staff(actor)
    if not reason or not reason.strip():
        raise ApplicationError(_("Say why the requirement is rejected."))
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if requirement.status == Requirement.Status.REJECTED:
        raise Conflict(_("This requirement is already rejected."))
    old = requirement.status
    requirement.status = Requirement.Status.REJECTED
    requirement.save(update_fields=["status", "updated_at"])
    _event(
        requirement,
        RequirementEvent.Type.REJECTED,
        actor=actor,
        reason=reason.strip(),
        details={"status": [old, requirement.status]},
    )
    return requirement


@transaction.atomic
def requirement_correct(
    *,
    requirement: Requirement,
    actor,
    parameter: Parameter | str | None = None,
    confirm: bool = True,
    reason: str = "",
    **changes: Any,
) -> Requirement:
    """Staff correct an extracted requirement (and by default confirm it)."""
    check_staff(actor)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be corrected: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    before = {f: getattr(requirement, f) for f in CORRECTABLE}
    merged = {**before, **changes}
    data = _clean(
        {
            k: merged[k]
            for k in (
                "operator",
                "kind",
                "value",
                "upper",
                "values",
                "unit",
                "conditions",
            )
        }
    )
    merged.update(data)
    diff: dict[str, list] = {}
    for f in CORRECTABLE:
        new = merged[f]
        if isinstance(new, str):
            new = new.strip()
        if before[f] != new and not (
            isinstance(new, Decimal)
            and before[f] is not None
            and Decimal(before[f]) == new
        ):
            diff[f] = [_jsonable(before[f]), _jsonable(new)]
            setattr(requirement, f, new)
    if parameter is not None:
        resolved = (
            parameter_resolve(parameter) if isinstance(parameter, str) else parameter
        )
        if resolved is None:
            raise ApplicationError(
                _("Unknown parameter %(name)r.") % {"name": parameter}
            )
        if resolved.pk != requirement.parameter_id:
            diff["parameter"] = [requirement.parameter.key, resolved.key]
            requirement.parameter = resolved
    if "test_method" in diff:
        requirement.test_method_standard = (
            standard_resolve(requirement.test_method)
            if requirement.test_method
            else None
        )
    if confirm and requirement.status != Requirement.Status.CONFIRMED:
        diff["status"] = [requirement.status, Requirement.Status.CONFIRMED]
        requirement.status = Requirement.Status.CONFIRMED
    if not diff:
        raise ApplicationError(_("Nothing to change."))
    requirement.save()
    _event(
        requirement,
        RequirementEvent.Type.CORRECTED,
        actor=actor,
        reason=reason,
        details=diff,
    )
    return requirement
