"""Split a machine-readable draft into numbered clauses for the clause view."""

import re
from dataclasses import dataclass

_CLAUSE = re.compile(
    r"^\s*((?:\d+(?:\.\d+)*)|(?:[A-Z](?:\.\d+)+)|(?:附录\s*[A-Z])|(?:Annex\s+[A-Z]))"
    r"[\s\u3000]+(.*)$"
)


@dataclass(frozen=True)
class DraftClause:
    ref: str
    heading: str
    text: str

    @property
    def depth(self) -> int:
        return self.ref.count(".")


def split_clauses(text: str) -> list[DraftClause]:
    """Each line starting with a clause number (``4``, ``4.1``, ``A.1``,
    ``Annex B``) opens a clause; following lines are its text."""
    clauses: list[DraftClause] = []
    ref = heading = None
    body: list[str] = []
    for line in (text or "").splitlines():
        match = _CLAUSE.match(line)
        if match:
            if ref is not None:
                clauses.append(DraftClause(ref, heading, "\n".join(body).strip()))
            ref, heading, body = match.group(1), match.group(2).strip(), []
        elif ref is not None:
            body.append(line)
    if ref is not None:
        clauses.append(DraftClause(ref, heading, "\n".join(body).strip()))
    return clauses


def clauses_of_standard(standard) -> list[DraftClause]:
    """The numbered clauses of a catalogue standard whose full text is held
    by the requirements app (used when a draft has no text of its own: the
    comments then refer to the edition under revision)."""
    if standard is None:
        return []
    from qihub.requirements.models import Clause

    rows = (
        Clause.objects.filter(document__standard=standard)
        .exclude(number="")
        .order_by("order")
        .values_list("number", "title", "text")[:2000]
    )
    return [DraftClause(number, title, text) for number, title, text in rows]
