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
