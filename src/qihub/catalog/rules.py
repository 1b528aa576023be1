"""The rules a catalogue record must keep, in one place.

``standard_create``/``standard_update`` (and so the pages, the API and the
admin) and every import format check a record with these functions, so a row
an import accepts is one the services would accept. Each returns the problems
it finds as ``(field, message)`` pairs: the services refuse with the first,
an import reports every one against its line. Pure functions on values: no
queries, cheap enough for a million rows.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from qihub.catalog.identifiers import (
    StandardIdentifier,
    issue_year_fits,
    publication_year,
    try_parse,
)
from qihub.catalog.models import Standard

Problem = tuple[str, str]


def title_problems(
    title_zh: str, title_en: str, *, level: str = "", status: str = ""
) -> list[Problem]:
    """A Chinese or an English title, except for two kinds of record known by
    their identifier alone: one catalogued as *referenced only*
    (``Status.UNKNOWN``, because another record cites it) and an
    international standard, because ISO's open deliverables metadata, the
    real source of such records, publishes reference, stage, ICS and
    relations but never a title (and those records travel through exports
    and back)."""
    if title_zh or title_en:
        return []
    if status == Standard.Status.UNKNOWN or level == Standard.Level.INTERNATIONAL:
        return []
    return [("title", _("A standard needs a Chinese or an English title."))]


def date_problems(
    *,
    identifier: str | StandardIdentifier | None,
    issued_on: datetime.date | None,
    implemented_on: datetime.date | None,
    withdrawn_on: datetime.date | None,
) -> list[Problem]:
    """Implementation and withdrawal not before the issue; the issue date
    fitting the year in the identifier (``GB/T 91005-2026`` is not issued in
    1800)."""
    problems: list[Problem] = []
    if issued_on is None:
        return problems
    if implemented_on and implemented_on < issued_on:
        problems.append(
            (
                "implemented_on",
                _("The implementation date cannot be before the issue date."),
            )
        )
    if withdrawn_on and withdrawn_on < issued_on:
        problems.append(
            ("withdrawn_on", _("The withdrawal date cannot be before the issue date."))
        )
    ident = try_parse(identifier) if isinstance(identifier, str) else identifier
    if not issue_year_fits(ident, issued_on):
        problems.append(
            (
                "issued_on",
                _(
                    "The issue date %(date)s does not fit the year %(year)d in the "
                    "identifier %(identifier)s."
                )
                % {
                    "date": issued_on.isoformat(),
                    "year": publication_year(ident),
                    "identifier": (
                        identifier if isinstance(identifier, str) else ident.canonical
                    ),
                },
            )
        )
    return problems


def choice_problems(*, level: str, nature: str, status: str) -> list[Problem]:
    problems: list[Problem] = []
    if level not in Standard.Level.values:
        problems.append(("level", _("Unknown level: %(v)s.") % {"v": level}))
    if nature not in Standard.Nature.values:
        problems.append(("nature", _("Unknown nature: %(v)s.") % {"v": nature}))
    if status not in Standard.Status.values:
        problems.append(("status", _("Unknown status: %(v)s.") % {"v": status}))
    return problems


def standard_problems(standard: Standard) -> list[Problem]:
    """Every rule, on a record about to be saved."""
    return [
        *title_problems(
            standard.title_zh,
            standard.title_en,
            level=standard.level,
            status=standard.status,
        ),
        *date_problems(
            identifier=standard.identifier,
            issued_on=standard.issued_on,
            implemented_on=standard.implemented_on,
            withdrawn_on=standard.withdrawn_on,
        ),
        *choice_problems(
            level=standard.level, nature=standard.nature, status=standard.status
        ),
    ]
