"""What an import reports: the refusal of a whole file, one row's problem,
and the summary of a run; the column layout of our own formats.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: Our own column layout (csv, xlsx, json); exports write the same columns.
COLUMNS = (
    "identifier",
    "title_zh",
    "title_en",
    "status",
    "issued_on",
    "implemented_on",
    "withdrawn_on",
    "ics",
    "ccs",
    "issuing_body",
    "committee",
    "scope",
    "replaces",
    "adopts",
    "cites",
    "external_id",
)
FORMATS = ("csv", "xlsx", "json", "iso-jsonl", "iso-csv", "relaton")


class ImportFormatError(ValueError):
    """The whole file is unreadable in the given format."""


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the line (or record) number, field and reason."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, field {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or refusal, would have done)."""

    format: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    relations: int = 0
    #: Records created as "referenced only": targets of cites/replaces that
    #: were neither in the file nor in the catalogue.
    placeholders: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    #: On SQLite, how long the import held the write lock (its one write
    #: transaction, ``Writer.final``); other writers wait at most this long.
    lock_seconds: float = 0.0
    #: The ``ImportRun`` of an import that wrote (none for a dry run or refusal).
    run_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def summary(self) -> str:
        if not self.ok:
            return _("refused: %(n)d error(s) in %(rows)d rows, nothing imported") % {
                "n": len(self.errors),
                "rows": self.rows,
            }
        verb = _("would import") if self.dry_run else _("imported")
        text = _(
            "%(verb)s %(total)s standards (%(new)s new, %(upd)s updated), "
            "%(rel)s relations in %(sec).1f s"
        ) % {
            "verb": verb,
            "total": f"{self.created + self.updated:,}",
            "new": f"{self.created:,}",
            "upd": f"{self.updated:,}",
            "rel": f"{self.relations:,}",
            "sec": self.seconds,
        }
        if self.placeholders:
            text += "; " + _(
                "%(n)s cited or replaced standards catalogued as referenced only"
            ) % {"n": f"{self.placeholders:,}"}
        if self.warnings:
            text += "; " + _("%(n)s warning(s)") % {"n": f"{len(self.warnings):,}"}
        return text
