"""Validity check API: ``POST /api/catalog/validity-check`` (public, JSON in,
JSON out, up to 5,000 lines) and the saved checks of the caller."""

from __future__ import annotations

import datetime
import json

from django.http import HttpResponse
from ninja import Router, Schema, Status
from pydantic import BaseModel

from qihub.catalog.validity import selectors, services
from qihub.catalog.validity.check import MAX_LINES, check_list
from qihub.catalog.validity.reading import lines_from_text
from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError

router = Router()

_JSON = "application/json; charset=utf-8"


class ValidityCheckIn(Schema):
    """``lines`` (one list entry per line) or ``text`` (split at line
    breaks); ``on``: the date of the status "on a date" (default today)."""

    lines: list[str] | None = None
    text: str | None = None
    on: datetime.date | None = None


class ValidityCheckOut(BaseModel):
    on: datetime.date
    today: datetime.date
    summary: dict[str, int]
    lines: list[dict]


class SavedIn(ValidityCheckIn):
    name: str
    organisation: int | None = None


class SavedOut(BaseModel):
    id: int
    name: str
    owner_user: str | None
    owner_organisation: int | None
    on_date: datetime.date | None
    checked_at: datetime.datetime | None
    runs: int
    summary: dict


class SavedDetailOut(SavedOut):
    result: dict


def _lines(payload: ValidityCheckIn) -> list[str]:
    if payload.lines is not None and payload.text is not None:
        raise ApplicationError(
            "Send either lines or text, not both.", details={"field": "lines"}
        )
    if payload.lines is not None:
        if len(payload.lines) > MAX_LINES * 4:
            raise ApplicationError(
                f"At most {MAX_LINES:,} lines are checked at once.",
                details={"field": "lines", "max_lines": MAX_LINES},
            )
        return payload.lines
    return lines_from_text(payload.text or "")


def _saved(check, *, detail: bool = False) -> dict:
    data = {
        "id": check.pk,
        "name": check.name,
        "owner_user": check.owner_user.username if check.owner_user else None,
        "owner_organisation": check.owner_organisation_id,
        "on_date": check.on_date,
        "checked_at": check.checked_at,
        "runs": check.runs,
        "summary": check.summary,
    }
    if detail:
        data["result"] = check.result
    return data


@router.post(
    "/validity-check",
    response={200: ValidityCheckOut},
    summary="Check a list of standards",
)
def validity_check(request, payload: ValidityCheckIn):
    """Every identifier on each line: found or not, status today and on
    ``on``, the current edition and the replacements leading to it, its
    implementation date, adoptions, the closest matches of an unknown one.
    Lines keep their order; a line without an identifier carries ``error``.
    More than 5,000 non-blank lines are refused (400)."""
    result = check_list(_lines(payload), on=payload.on)
    # The answer is plain JSON already: serialised once, not validated again.
    body = json.dumps(result.as_json(), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, content_type=_JSON)


@router.get(
    "/validity-checks/",
    response=list[SavedOut],
    auth=write_auth,
    summary="My saved validity checks",
)
def validity_checks(request):
    return [_saved(c) for c in selectors.validity_checks_of(request.user)]


@router.post(
    "/validity-checks/",
    response={201: SavedDetailOut},
    auth=write_auth,
    summary="Save a validity check",
)
def validity_check_save(request, payload: SavedIn):
    organisation = None
    if payload.organisation is not None:
        from qihub.organisations.models import Organisation

        organisation = Organisation.objects.filter(pk=payload.organisation).first()
        if organisation is None:
            raise ApplicationError(
                f"No organisation {payload.organisation}.",
                details={"field": "organisation"},
            )
    check = services.validity_check_save(
        actor=request.user,
        name=payload.name,
        lines=_lines(payload),
        on_date=payload.on,
        organisation=organisation,
    )
    return Status(201, _saved(check, detail=True))


@router.get(
    "/validity-checks/{int:check_id}",
    response=SavedDetailOut,
    auth=write_auth,
)
def validity_check_detail(request, check_id: int):
    return _saved(selectors.validity_check_for(request.user, check_id), detail=True)


@router.post(
    "/validity-checks/{int:check_id}/rerun",
    response=SavedDetailOut,
    auth=write_auth,
    summary="Run a saved check again",
)
def validity_check_rerun(request, check_id: int):
    check = selectors.validity_check_for(request.user, check_id)
    check = services.validity_check_rerun(check=check, actor=request.user)
    return _saved(check, detail=True)
