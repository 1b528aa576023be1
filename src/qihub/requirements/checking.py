"""The check engine against the database: pick requirements, run checks and
comparisons, and read product values typed as text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError, NotFound
from qihub.core.pagination import ascii_int
from qihub.requirements import checks
from qihub.requirements.selectors import requirement_specs
from qihub.requirements.services import parameter_keys, standard_resolve


def standard_lookup(ref: int | str) -> Standard:
    """A catalogue standard by id or identifier (dated or undated)."""
    pk = ascii_int(ref)
    if pk is not None:
        standard = Standard.objects.filter(pk=pk).first()
    elif isinstance(ref, int) or str(ref).strip().isdecimal():
        standard = None  # a number no row can have, or Unicode digits
    else:
        standard = standard_resolve(str(ref))
    if standard is None:
        raise NotFound(_("No standard %(ref)s in the catalogue.") % {"ref": ref})
    return standard


def specs_for(
    standards: Iterable[Standard], *, confirmed_only: bool = True
) -> list[checks.RequirementSpec]:
    """The requirements of these standards for the engine (one query)."""
    return requirement_specs([s.pk for s in standards], confirmed_only=confirmed_only)


def check_product(
    *,
    standards: Iterable[Standard],
    values: Mapping[str, tuple[Any, str]],
    conditions: Mapping[str, str] | None = None,
) -> list[checks.CheckResult]:
    """Check one product's values against every confirmed requirement of the
    standards. Parameter names in ``values`` may be any known spelling."""
    keys = parameter_keys(values)
    keyed = {keys[name]: entry for name, entry in values.items()}
    return checks.evaluate(keyed, specs_for(standards), conditions or {})


def compare_standards(a: Standard, b: Standard) -> list[checks.ParameterComparison]:
    """Standard A's confirmed requirements against B's, per parameter."""
    return checks.compare_requirement_sets(specs_for([a]), specs_for([b]))


_LINE = re.compile(
    r"^\s*(?P<name>[^=:：]+?)\s*[=:：]\s*(?P<value>[-+]?\d+(?:[.,]\d+)?|[^\s]+)\s*(?P<unit>.*?)\s*$"
)


def parse_values_text(text: str) -> dict[str, tuple[Any, str]]:
    """Product values typed one per line: ``甲醛含量 = 0.02 g/kg``, ``pH: 6.5``,
    ``odour = no``. Raises ``ApplicationError`` naming the bad line."""
    values: dict[str, tuple[Any, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise ApplicationError(
                _("Line %(n)d: write 'parameter = value unit'.") % {"n": number}
            )
        raw = m.group("value")
        value: Any = raw
        if re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", raw):
            value = Decimal(raw.replace(",", "."))
        values[m.group("name").strip()] = (value, m.group("unit").strip())
    return values


def parse_conditions_text(text: str) -> dict[str, str]:
    """Conditions typed as ``age_group=infant, class=A`` (comma or newline)."""
    conditions: dict[str, str] = {}
    for part in re.split(r"[,\n;，；]", text or ""):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ApplicationError(
                _("Write conditions as name=value, e.g. age_group=infant.")
            )
        conditions[key.strip()] = value.strip()
    return conditions
