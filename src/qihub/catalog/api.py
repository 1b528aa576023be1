"""Catalogue API: search, detail, identifier parsing and staff writes."""

import datetime
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from pydantic import BaseModel

from qihub.catalog import selectors, services
from qihub.catalog.identifiers import IdentifierError, parse
from qihub.catalog.models import Standard, StandardRelation, standard_url
from qihub.catalog.search import listing_after
from qihub.catalog.search_walk import Position, position_of, rows_after
from qihub.core import import_job_api
from qihub.core.api_auth import write_auth
from qihub.core.errors import ApplicationError, NotFound
from qihub.core.pagination import MAX_PAGE

router = Router()

_JSON = "application/json; charset=utf-8"


class StandardOut(BaseModel):
    """A standard as the API shows it. A plain pydantic model, not a ninja
    Schema: its values always come as a dict, never an ORM object, and the
    Schema's getter for ORM attributes, run for every field, made checking a
    page of 20 search results cost more than the search."""

    id: int
    identifier: str
    title_zh: str
    title_en: str
    level: str
    nature: str
    status: str
    year: int | None
    issued_on: datetime.date | None
    implemented_on: datetime.date | None
    withdrawn_on: datetime.date | None
    ics: list[str]
    ccs: str | None
    url: str

    @staticmethod
    def from_standard(s: Standard) -> "StandardOut":
        return StandardOut(**StandardOut.data(s))

    @staticmethod
    def from_row(row: dict) -> dict:
        """The fields of a search result row (``SearchPage.rows``) as a dict."""
        item = dict(row)
        item["ccs"] = item.pop("ccs_id")
        item["url"] = standard_url(row["id"])
        return item

    @staticmethod
    def data(s: Standard) -> dict:
        """The fields as a plain dict: lists of results are returned as dicts,
        which the response schema validates several times faster than nested
        schema objects."""
        return {
            "id": s.pk,
            "identifier": s.identifier,
            "title_zh": s.title_zh,
            "title_en": s.title_en,
            "level": s.level,
            "nature": s.nature,
            "status": s.status,
            "year": s.year,
            "issued_on": s.issued_on,
            "implemented_on": s.implemented_on,
            "withdrawn_on": s.withdrawn_on,
            # Search results carry their codes (SearchPage.results); others ask.
            "ics": (
                s.ics_codes
                if hasattr(s, "ics_codes")
                else [c.code for c in s.ics.all()]
            ),
            "ccs": s.ccs_id,
            "url": s.get_absolute_url(),
        }


class SearchOut(BaseModel):
    count: int
    count_is_estimate: bool
    page: int
    per_page: int
    items: list[StandardOut]
    next_cursor: str | None = None


class RelationOut(Schema):
    kind: str
    degree: str
    direction: str  # "out": this standard -> other; "in": other -> this standard
    other: str
    other_id: int


class EventOut(Schema):
    type: str
    created_at: datetime.datetime
    actor: str | None
    reason: str
    changes: dict


class StandardDetailOut(StandardOut):
    scope: str
    issuing_body: str
    committee: str
    relations: list[RelationOut]
    history: list[EventOut]


class StandardIn(Schema):
    identifier: str
    title_zh: str = ""
    title_en: str = ""
    status: str | None = None
    issued_on: datetime.date | None = None
    implemented_on: datetime.date | None = None
    ics: list[str] = []
    ccs: str | None = None
    issuing_body: str = ""
    committee: str = ""
    scope: str = ""


class StandardPatch(Schema):
    reason: str = ""
    title_zh: str | None = None
    title_en: str | None = None
    status: str | None = None
    issued_on: datetime.date | None = None
    implemented_on: datetime.date | None = None
    ics: list[str] | None = None
    ccs: str | None = None
    issuing_body: str | None = None
    committee: str | None = None
    scope: str | None = None


class WithdrawIn(Schema):
    reason: str
    on: datetime.date | None = None


class ReplaceIn(Schema):
    by: str  # identifier of the replacing standard
    partial: bool = False
    reason: str = ""


class RelationRemoveIn(Schema):
    other: str  # the other standard's identifier, as ``relations`` shows it
    kind: str
    reason: str


class RelationIn(Schema):
    target: str  # identifier
    kind: str
    degree: str = ""
    note: str = ""


class ParsedIdentifierOut(Schema):
    canonical: str
    key: str
    base_key: str
    prefix: str
    number: str
    year: int | None
    level: str
    nature: str
    adopted: str | None


class StatusOnOut(Schema):
    identifier: str
    on: datetime.date
    status: str | None
    edition_in_force: StandardOut | None


def _detail(standard: Standard) -> StandardDetailOut:
    base = StandardOut.data(standard)
    relations = [
        RelationOut(
            kind=r.kind,
            degree=r.degree,
            direction="out",
            other=r.target.identifier,
            other_id=r.target_id,
        )
        for r in standard.relations_out.all()
    ] + [
        RelationOut(
            kind=r.kind,
            degree=r.degree,
            direction="in",
            other=r.source.identifier,
            other_id=r.source_id,
        )
        for r in standard.relations_in.all()
    ]
    history = [
        EventOut(
            type=e.type,
            created_at=e.created_at,
            actor=e.actor.username if e.actor else None,
            reason=e.reason,
            changes=e.details,
        )
        for e in selectors.standard_history(standard)
    ]
    return StandardDetailOut(
        **base,
        scope=standard.scope,
        issuing_body=standard.issuing_body,
        committee=standard.committee,
        relations=relations,
        history=history,
    )


def _get_by_identifier(text: str) -> Standard:
    standard = selectors.standard_get_by_identifier(text)
    if standard is None:
        raise NotFound(f"No standard {text!r} in the catalogue.")
    return standard


def _cursor(kind: str, value: str) -> str:
    return urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


@dataclass(frozen=True)
class _Cursor:
    """A ``next_cursor`` read back: without a query the identifier key to
    go on after; with one the position in the results (``search_walk``)
    and the count the first page gave (kept for every page)."""

    key: str | None = None
    position: Position | None = None
    #: A first page's cursor names its last result only: where that is in
    #: the bands is found when the cursor is used (not for every search).
    after_id: int | None = None
    count: int = 0
    estimate: bool = False


def _search_cursor(position: Position | int, count: int, estimate: bool) -> str:
    text = f"@{position}" if isinstance(position, int) else position.encode()
    return _cursor("s", f"{count}:{int(estimate)}:{text}")


def _read_cursor(cursor: str, q: str) -> _Cursor:
    try:
        text = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, value = text.split(":", 1)
        if kind == "k" and not q.strip():
            return _Cursor(key=value)
        if kind == "s" and q.strip():
            count, estimate, position = value.split(":", 2)
            if count.isdigit() and estimate in ("0", "1"):
                if position[:1] == "@" and position[1:].isdigit():
                    return _Cursor(
                        after_id=int(position[1:]),
                        count=int(count),
                        estimate=estimate == "1",
                    )
                return _Cursor(
                    position=Position.decode(position),
                    count=int(count),
                    estimate=estimate == "1",
                )
    except ValueError:
        pass
    raise ApplicationError("cursor: not a cursor this search gave; start again.")


def _ident_key(pk: int) -> str:
    return Standard.objects.filter(pk=pk).values_list("ident_key", flat=True)[0]


@router.get("/standards/", response=SearchOut, summary="Search the catalogue")
def standard_search(
    request,
    q: str = "",
    level: str | None = None,
    status: str | None = None,
    ics: str | None = None,
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
    cursor: str | None = None,
):
    """One query for identifiers and Chinese/English titles; exact identifier first.

    ``next_cursor`` in the answer, passed back as ``cursor``, gives the next
    page however far, each result once: without a query a keyset on the
    identifier, with one a keyset on each ranking band (``search_walk``);
    the count stays the first page's ("200+")."""
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= 100:
        message = (
            f"page must be between 1 and {MAX_PAGE} and per_page between 1 and 100."
        )
        raise ApplicationError(message, status=422)
    if level and level not in Standard.Level.values:
        raise ApplicationError(
            f"Unknown level {level!r}; use one of {', '.join(Standard.Level.values)}."
        )
    if status and status not in Standard.Status.values:
        raise ApplicationError(
            f"Unknown status {status!r}; use one of {', '.join(Standard.Status.values)}."
        )
    filters = {"level": level, "status": status, "ics": ics, "year": year}
    read = _read_cursor(cursor, q) if cursor is not None else None
    if read is not None and read.key is not None:
        rows, key = listing_after(after=read.key, limit=per_page, **filters)
        out = SearchOut.model_validate(
            {
                "count": len(rows),
                "count_is_estimate": key is not None,
                "page": page,
                "per_page": per_page,
                "items": [StandardOut.from_row(row) for row in rows],
                "next_cursor": _cursor("k", key) if key else None,
            }
        )
        return HttpResponse(out.model_dump_json(), content_type=_JSON)
    if read is not None:
        # A query's later pages: a keyset on its ranked bands, the count
        # as the first page gave it.
        after = read.position
        if after is None:
            try:
                after = position_of(read.after_id, q=q, **filters)
            except LookupError:
                raise ApplicationError(
                    "cursor: not a cursor this search gave; start again."
                ) from None
        rows, position = rows_after(q=q, after=after, limit=per_page, **filters)
        out = SearchOut.model_validate(
            {
                "count": read.count,
                "count_is_estimate": read.estimate,
                "page": page,
                "per_page": per_page,
                "items": [StandardOut.from_row(row) for row in rows],
                "next_cursor": (
                    _search_cursor(position, read.count, read.estimate)
                    if position
                    else None
                ),
            }
        )
        return HttpResponse(out.model_dump_json(), content_type=_JSON)
    offset = (page - 1) * per_page
    result = selectors.search_standards(q=q, offset=offset, limit=per_page, **filters)
    next_cursor = None
    if len(result.rows) == per_page and (
        result.total_is_estimate or offset + per_page < result.total
    ):
        last = result.rows[-1]["id"]
        if q.strip():
            next_cursor = _search_cursor(last, result.total, result.total_is_estimate)
        else:
            next_cursor = _cursor("k", _ident_key(last))
    out = SearchOut.model_validate(
        {
            "count": result.total,
            "count_is_estimate": result.total_is_estimate,
            "page": page,
            "per_page": per_page,
            "items": [StandardOut.from_row(row) for row in result.rows],
            "next_cursor": next_cursor,
        }
    )
    # Serialised by pydantic itself: ninja's renderer (json.dumps calling back
    # into Python for every date) took longer than the search. Same JSON.
    return HttpResponse(out.model_dump_json(), content_type=_JSON)


@router.get(
    "/standards/{int:standard_id}", response=StandardDetailOut, summary="One standard"
)
def standard_get(request, standard_id: int):
    try:
        return _detail(selectors.standard_detail(standard_id))
    except Standard.DoesNotExist as exc:
        raise NotFound(f"No standard with id {standard_id}.") from exc


@router.get("/lookup", response=StandardDetailOut, summary="Resolve an identifier")
def standard_lookup(request, identifier: str):
    """Dated identifiers name one edition; undated ones the latest edition."""
    return _detail(selectors.standard_detail(_get_by_identifier(identifier).pk))


@router.get(
    "/status-on", response=StatusOnOut, summary="Status of a standard on a past date"
)
def standard_status_on(request, identifier: str, on: datetime.date):
    """Which edition was in force on a date, and the named edition's status then."""
    standard = selectors.standard_get_by_identifier(identifier)
    edition = selectors.edition_in_force_on(identifier, on)
    return StatusOnOut(
        identifier=identifier,
        on=on,
        status=standard.status_on(on) if standard else None,
        edition_in_force=StandardOut.from_standard(edition) if edition else None,
    )


@router.get(
    "/identifiers/parse", response=ParsedIdentifierOut, summary="Parse an identifier"
)
def identifier_parse(request, text: str):
    try:
        ident = parse(text)
    except IdentifierError as exc:
        raise ApplicationError(str(exc), details={"part": exc.part}) from exc
    primary = ident.primary
    return ParsedIdentifierOut(
        canonical=ident.canonical,
        key=primary.key,
        base_key=primary.base_key,
        prefix=primary.prefix,
        number=primary.number,
        year=primary.year,
        level=primary.level,
        nature=primary.nature,
        adopted=ident.adopted.canonical if ident.adopted else None,
    )


@router.post(
    "/standards/",
    response={201: StandardDetailOut},
    auth=write_auth,
    summary="Add a standard",
)
def standard_create(request, payload: StandardIn):
    standard = services.standard_create(actor=request.user, **payload.dict())
    return Status(201, _detail(selectors.standard_detail(standard.pk)))


@router.patch(
    "/standards/{int:standard_id}", response=StandardDetailOut, auth=write_auth
)
def standard_update(request, standard_id: int, payload: StandardPatch):
    standard = get_object_or_404(Standard, pk=standard_id)
    data = payload.dict(exclude_unset=True)
    services.standard_update(standard=standard, actor=request.user, **data)
    return _detail(selectors.standard_detail(standard_id))


@router.post(
    "/standards/{int:standard_id}/withdraw", response=StandardDetailOut, auth=write_auth
)
def standard_withdraw(request, standard_id: int, payload: WithdrawIn):
    standard = get_object_or_404(Standard, pk=standard_id)
    services.standard_withdraw(
        standard=standard, actor=request.user, reason=payload.reason, on=payload.on
    )
    return _detail(selectors.standard_detail(standard_id))


@router.post(
    "/standards/{int:standard_id}/replace", response=StandardDetailOut, auth=write_auth
)
def standard_replace(request, standard_id: int, payload: ReplaceIn):
    """Record that the standard ``by`` replaces this one (wholly or partially)."""
    old = get_object_or_404(Standard, pk=standard_id)
    new = _get_by_identifier(payload.by)
    services.standard_replace(
        old=old,
        new=new,
        actor=request.user,
        partial=payload.partial,
        reason=payload.reason,
    )
    return _detail(selectors.standard_detail(standard_id))


@router.post(
    "/standards/{int:standard_id}/relations",
    response={201: StandardDetailOut},
    auth=write_auth,
)
def relation_create(request, standard_id: int, payload: RelationIn):
    """Adopt (IDT/MOD/NEQ) or normatively cite another standard."""
    source = get_object_or_404(Standard, pk=standard_id)
    if payload.kind not in StandardRelation.Kind.values:
        raise ApplicationError(
            _("Unknown relation kind %(kind)r.") % {"kind": payload.kind}
        )
    services.relation_add(
        source=source,
        target=_get_by_identifier(payload.target),
        kind=payload.kind,
        degree=payload.degree,
        note=payload.note,
        actor=request.user,
    )
    return Status(201, _detail(selectors.standard_detail(standard_id)))


@router.post(
    "/standards/{int:standard_id}/relations/remove",
    response={200: StandardDetailOut},
    auth=write_auth,
)
def relation_delete(request, standard_id: int, payload: RelationRemoveIn):
    """Remove a relation entered by mistake (staff, with a reason): the
    relation of ``kind`` between this standard and ``other``, either way
    round, as ``relations`` lists it; both standards' histories record it."""
    standard = get_object_or_404(Standard, pk=standard_id)
    other = _get_by_identifier(payload.other)
    relation = (
        StandardRelation.objects.filter(
            Q(source=standard, target=other) | Q(source=other, target=standard),
            kind=payload.kind,
        )
        .select_related("source", "target")
        .first()
    )
    if relation is None:
        raise NotFound(
            _("%(a)s and %(b)s have no %(kind)s relation.")
            % {"a": standard.identifier, "b": other.identifier, "kind": payload.kind}
        )
    services.relation_remove(
        relation=relation, actor=request.user, reason=payload.reason
    )
    return _detail(selectors.standard_detail(standard_id))


@router.post(
    "/imports",
    response={202: import_job_api.ImportJobOut},
    auth=write_auth,
    summary="Import a catalogue file as a background job",
)
def standards_import_start(
    request,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    format: Form[str] = "",
):
    """Upload a catalogue file (CSV, XLSX, JSON, ISO Open Data, Relaton XML;
    ``format`` default: from the file) to import it all or nothing in the
    background, as ``qihub import-standards`` does (staff only). Answers the
    job; follow it at ``GET /catalog/imports/{id}``."""
    return Status(
        202,
        import_job_api.start(
            request, kind="standards", file=file, dry_run=dry_run, fmt=format
        ),
    )


@router.get(
    "/imports/{int:job_id}",
    response=import_job_api.ImportJobOut,
    auth=write_auth,
    summary="A catalogue import job",
)
def standards_import_get(request, job_id: int):
    """The job's state, progress, summary and row errors (staff only)."""
    return import_job_api.get(request, kind="standards", job_id=job_id)


def _add_validity_router() -> None:
    from qihub.catalog.validity.api import router as validity_router

    router.add_router("/", validity_router)


_add_validity_router()
