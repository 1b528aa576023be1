"""The indicators programmes set targets on, defined once, in code.

Each indicator has a slug (what targets and snapshots store), a zh/en name,
a unit, a definition and a function computing its value for a *scope* (a
region with the divisions inside it, by GB/T 2260 prefix; a network's
members; one organisation) on a date, from the other domains' records with
set-based queries (a handful per indicator, never one per record). A value
of ``None`` means "no data" and is never shown as zero.

*Reported* indicators have no data to compute them from: organisations report
them for a period with evidence (``ReportedValue``) and only approved values
count, summed over the periods that ended by the date.

The package: ``base`` (scopes, the ``Indicator`` type, the registry) and
``definitions`` (every indicator, registered when the package is imported).
"""

from qihub.programmes.indicators import definitions  # noqa: F401 - registers them
from qihub.programmes.indicators.base import (
    REGISTRY,
    Compute,
    Indicator,
    Many,
    Scope,
    get,
    register,
    reported_value,
    scope_for,
    values_for,
)
from qihub.programmes.indicators.definitions import (
    COMPLAINT_DEADLINE_DAYS,
    PROVINCE_ABBR,
)

__all__ = [
    "COMPLAINT_DEADLINE_DAYS",
    "PROVINCE_ABBR",
    "REGISTRY",
    "Compute",
    "Indicator",
    "Many",
    "Scope",
    "get",
    "register",
    "reported_value",
    "scope_for",
    "values_for",
]
