"""Standard projects: proposal, edits, moves along the workflow,
publication in the catalogue and implementation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.lifecycle import workflow
from qihub.lifecycle.access import may_manage, may_take
from qihub.lifecycle.models import (
    Committee,
    Project,
    ProjectDraftingUnit,
    ProjectEvent,
    ResearchProject,
    State,
    Transition,
)
from qihub.lifecycle.services import stages
from qihub.lifecycle.services._common import check_organisation, project_event
from qihub.organisations.models import Organisation
from qihub.organisations.profile import counts_changed

#: Fields that ``project_update`` may change.
PROJECT_FIELDS = (
    "title_zh",
    "title_en",
    "scope",
    "identifier",
    "ics",
    "level",
    "proposer_organisation",
    "drafting_units",
    "drafters",
    "planned_consultation_on",
    "planned_submission_on",
    "due_on",
    "implementation_months",
    "draft_text",
)


def _check_drafting_units(units: Iterable[Organisation] | None) -> list[Organisation]:
    """The drafting units in order; each organisation once."""
    orgs: list[Organisation] = []
    seen: set[int] = set()
    for unit in units or ():
        org = check_organisation("drafting_units", unit)
        if org is None:
            continue
        if org.pk in seen:
            raise ApplicationError(
                _("%(org)s is listed twice among the drafting units.")
                % {"org": org.name},
                details={"drafting_units": [str(org.pk)]},
            )
        seen.add(org.pk)
        orgs.append(org)
    return orgs


def _next_project_code(today: datetime.date) -> str:
    prefix = f"P{today.year}-"
    last = (
        Project.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


@transaction.atomic
def project_create(
    *,
    actor,
    title_zh: str = "",
    title_en: str = "",
    kind: str = Project.Kind.NEW,
    level: str = Standard.Level.NATIONAL,
    committee: Committee | None = None,
    replaces: Standard | None = None,
    identifier: str = "",
    scope: str = "",
    ics: str = "",
    proposer_organisation: Organisation | None = None,
    drafting_units: Iterable[Organisation] = (),
    drafters: str = "",
    planned_consultation_on: datetime.date | None = None,
    planned_submission_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
    implementation_months: int = 6,
    research_projects: Iterable[ResearchProject] = (),
    comment: str = "",
    code: str = "",
) -> Project:
    """Propose a standard project (立项申请): a new standard, or a revision of
    ``replaces``. Any registered user may propose; staff approve. The
    proposing organisation and the drafting units (in order, the first
    drafting unit first) are registered organisations."""
    if actor is not None and not actor.is_authenticated:
        raise PermissionDenied(_("Log in to propose a standard project."))
    if not (title_zh.strip() or title_en.strip()):
        raise ApplicationError(_("A project needs a Chinese or an English title."))
    if kind not in Project.Kind.values:
        raise ApplicationError(_("Unknown project kind: %(k)s.") % {"k": kind})
    if level not in Standard.Level.values or level == Standard.Level.INTERNATIONAL:
        raise ApplicationError(
            _("Projects are for national, industry, local, group or enterprise level.")
        )
    if kind == Project.Kind.REVISION and replaces is None:
        raise ApplicationError(
            _("A revision project must name the standard it revises.")
        )
    if kind == Project.Kind.NEW and replaces is not None:
        kind = Project.Kind.REVISION
    if replaces is not None and not replaces.is_valid:
        raise Conflict(
            _("%(identifier)s is %(status)s and cannot be revised.")
            % {
                "identifier": replaces.identifier,
                "status": replaces.get_status_display(),
            }
        )
    if identifier.strip():
        _check_identifier(identifier)
    proposer_organisation = check_organisation(
        "proposer_organisation", proposer_organisation
    )
    units = _check_drafting_units(drafting_units)
    today = timezone.localdate()
    code = code.strip()
    if code and Project.objects.filter(code=code).exists():
        raise Conflict(_("Project %(c)s exists already.") % {"c": code})
    project = Project(
        code=code or _next_project_code(today),
        kind=kind,
        level=level,
        title_zh=title_zh.strip(),
        title_en=title_en.strip(),
        scope=scope,
        identifier=identifier.strip(),
        ics=ics.strip(),
        state=State.objects.get(slug=workflow.PROPOSAL),
        committee=committee,
        proposer=recorded(actor),
        proposer_organisation=proposer_organisation,
        drafters=drafters,
        replaces=replaces,
        planned_consultation_on=planned_consultation_on,
        planned_submission_on=planned_submission_on,
        due_on=due_on,
        implementation_months=implementation_months,
    )
    project.save()
    _drafting_units_write(project, units)
    if research_projects:
        project.research_projects.set(list(research_projects))
    project_event(
        project,
        ProjectEvent.Type.CREATED,
        actor=actor,
        comment=comment,
        to_state=workflow.PROPOSAL,
        details={"kind": kind, "replaces": replaces.identifier if replaces else None},
    )
    return project


def _drafting_units_write(project: Project, units: list[Organisation]) -> None:
    project.drafting_units.all().delete()
    ProjectDraftingUnit.objects.bulk_create(
        ProjectDraftingUnit(project=project, organisation=org, position=i)
        for i, org in enumerate(units, start=1)
    )
    counts_changed()  # bulk_create sends no signal


def _check_identifier(text: str) -> None:
    from qihub.catalog.identifiers import IdentifierError, parse

    try:
        parse(text)
    except IdentifierError as exc:
        raise ApplicationError(str(exc), details={"identifier": text}) from exc


def _jsonable(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def project_update(*, project: Project, actor, comment: str = "", **fields) -> Project:
    """Edit a project's plan and draft. Staff and committee officers may edit
    any open project; the proposer may edit while it is still a proposal."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    is_proposer = (
        actor is not None
        and project.proposer_id == getattr(actor, "pk", None)
        and project.state.slug == workflow.PROPOSAL
    )
    if not (is_proposer or may_manage(actor, project.committee)):
        raise PermissionDenied(_("You may not edit this project."))
    if project.state.terminal:
        raise Conflict(
            _("A %(state)s project cannot be edited.") % {"state": project.state}
        )
    unknown = set(fields) - set(PROJECT_FIELDS) - {"committee", "draft_file"}
    if unknown:
        raise ApplicationError(
            _("These fields cannot be edited: %(f)s.")
            % {"f": ", ".join(sorted(unknown))}
        )
    if fields.get("identifier"):
        _check_identifier(fields["identifier"])
    if "proposer_organisation" in fields:
        check_organisation("proposer_organisation", fields["proposer_organisation"])
    changes = {}
    for name, value in fields.items():
        if name == "drafting_units":
            units = _check_drafting_units(value)
            old_ids = list(
                project.drafting_units.order_by("position").values_list(
                    "organisation_id", flat=True
                )
            )
            new_ids = [org.pk for org in units]
            if old_ids != new_ids:
                _drafting_units_write(project, units)
                changes[name] = [old_ids, new_ids]
            continue
        if name == "draft_file":
            if value:
                project.draft_file = value
                changes["draft_file"] = [None, getattr(value, "name", str(value))]
            continue
        old = getattr(project, name)
        if old != value:
            if name == "committee":
                changes[name] = [
                    old.code if old else None,
                    value.code if value else None,
                ]
            elif name == "proposer_organisation":
                changes[name] = [
                    old.pk if old else None,
                    value.pk if value else None,
                ]
            else:
                changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(project, name, value)
    if not changes:
        return project
    project.save()
    project_event(
        project,
        ProjectEvent.Type.EDITED,
        actor=actor,
        comment=comment,
        details={"changes": changes},
    )
    return project


@transaction.atomic
def project_transition(
    *,
    project: Project,
    to_state: str,
    actor,
    comment: str = "",
    deadline: datetime.date | None = None,
    issued_on: datetime.date | None = None,
) -> Project:
    """Move a project along an allowed edge of the workflow.

    The edge must exist (``Transition``) and the actor must hold one of its
    roles; then the hooks of the state left and the state entered run
    (``stages``): entering *consultation* opens a public consultation until
    ``deadline``; entering *review* needs every comment resolved and opens a
    committee ballot; *submitted* needs a passed ballot; *published* creates
    the catalogue record (replacing the revised standard) issued on
    ``issued_on`` (default today). Anything refused changes nothing.
    """
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("state", "committee", "replaces")
        .get(pk=project.pk)
    )
    current = project.state
    transition = (
        Transition.objects.select_related("to_state")
        .filter(from_state=current, to_state__slug=to_state)
        .first()
    )
    if transition is None:
        target = State.objects.filter(slug=to_state).first()
        allowed = ", ".join(
            str(t.to_state)
            for t in Transition.objects.filter(from_state=current).select_related(
                "to_state"
            )
        )
        raise Conflict(
            _(
                "A project in state “%(current)s” cannot move to “%(target)s”. "
                "Allowed next states: %(allowed)s."
            )
            % {
                "current": current,
                "target": target or to_state,
                "allowed": allowed or _("none"),
            },
            details={"from": current.slug, "to": to_state},
        )
    # ``actor=None`` is the platform itself (scheduled jobs, imports), as in
    # the catalogue services; pages and the API always pass the user.
    if actor is not None and not may_take(actor, transition, project.committee):
        raise PermissionDenied(
            _("You may not “%(label)s”: it needs the role(s) %(roles)s.")
            % {"label": transition.label, "roles": transition.roles}
        )
    # What entering and leaving a state does: the state's hooks (stages.py)
    move = stages.Move(
        project=project,
        current=current.slug,
        target=transition.to_state.slug,
        transition=transition,
        actor=actor,
        deadline=deadline,
        issued_on=issued_on,
    )
    stages.run(move)
    target, details = move.target, move.details
    project.state = transition.to_state
    project.save(update_fields=["state", "standard", "updated_at"])
    project_event(
        project,
        ProjectEvent.Type.TRANSITION,
        actor=actor,
        comment=comment,
        from_state=current.slug,
        to_state=target,
        details=details,
    )
    _notify_proposer(project, transition.to_state, comment)
    return project


def _notify_proposer(project: Project, state: State, comment: str) -> None:
    """Tell the proposer, after commit, that their project moved."""
    proposer = project.proposer
    if proposer is None or not proposer.email:
        return
    subject = _("%(code)s is now: %(state)s") % {"code": project.code, "state": state}
    body = "\n".join(
        line
        for line in (
            f"{project.code} {project.title}",
            subject,
            comment,
            settings.PUBLIC_BASE_URL.rstrip("/") + project.get_absolute_url(),
        )
        if line
    )
    to = [proposer.email]
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    )


def projects_mark_implemented(*, today: datetime.date | None = None) -> int:
    """Move published projects to *implemented* once their standard's
    implementation date has come (run daily by the scheduler)."""
    today = today or timezone.localdate()
    due = Project.objects.filter(
        state__slug=workflow.PUBLISHED, standard__implemented_on__lte=today
    )
    count = 0
    for project in due:
        project_transition(
            project=project,
            to_state=workflow.IMPLEMENTED,
            actor=None,
            comment=_("Implementation date reached."),
        )
        count += 1
    return count
