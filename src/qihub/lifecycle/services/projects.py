"""Writes for the standard lifecycle.

Pages, the API, admin actions, commands and scheduled jobs all call these
functions, so each move is checked the same way and leaves an event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import recorded, require_staff
from qihub.core.dates import add_months
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import Role, has_role
from qihub.lifecycle import selectors, workflow
from qihub.lifecycle.access import may_manage, may_take
from qihub.lifecycle.ballots import tally
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Committee,
    CommitteeMember,
    Consultation,
    Feedback,
    FeedbackEvent,
    PatentDisclosure,
    PeriodicReview,
    Project,
    ProjectDraftingUnit,
    ProjectEvent,
    ResearchMilestone,
    ResearchProject,
    ResearchReview,
    State,
    Transition,
    Vote,
)
from qihub.lifecycle.ratelimit import anonymous_rate_check
from qihub.organisations.models import Organisation
from qihub.organisations.profile import counts_changed
from qihub.organisations.services import organisation_match

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

#: Longest free text accepted from the public (comments, complaints).
MAX_TEXT = 20_000


def _require_manager(actor, committee: Committee | None) -> None:
    if not may_manage(actor, committee):
        raise PermissionDenied(
            _("Only institute staff or the committee's chair or secretary may do this.")
        )


def _check_public_input(model, *, email: str = "", **values: str) -> None:
    """Free-text input (public submissions, registry entries): refuse
    over-long fields and malformed e-mail addresses with a message, before
    anything is written."""
    too_long = []
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length or MAX_TEXT
        if value and len(value) > limit:
            too_long.append(f"{model._meta.get_field(name).verbose_name} (≤ {limit})")
    if too_long:
        raise ApplicationError(
            _("Too long: %(fields)s.") % {"fields": ", ".join(too_long)},
            details={"too_long": too_long},
        )
    if email.strip():
        try:
            validate_email(email.strip())
        except ValidationError as exc:
            raise ApplicationError(
                _("%(e)s is not a valid e-mail address.") % {"e": email},
                details={"email": "invalid"},
            ) from exc


def _check_organisation(field: str, value) -> Organisation | None:
    """A party is a registered organisation (or none); anything else is
    refused naming the field."""
    if value is None or isinstance(value, Organisation):
        if value is not None and value.pk is None:
            raise ApplicationError(
                _("Register the organisation first."), details={field: ["unsaved"]}
            )
        return value
    raise ApplicationError(
        _("%(field)s must be a registered organisation.") % {"field": field},
        details={field: ["not an organisation"]},
    )


def _check_drafting_units(units: Iterable[Organisation] | None) -> list[Organisation]:
    """The drafting units in order; each organisation once."""
    orgs: list[Organisation] = []
    seen: set[int] = set()
    for unit in units or ():
        org = _check_organisation("drafting_units", unit)
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


def _public_organisation(text: str) -> Organisation | None:
    """The registered organisation a name typed by the public stands for, if
    any; nothing is ever registered from public input."""
    return organisation_match(name=text) if text.strip() else None


def _event(project: Project, type_: str, *, actor, comment: str = "", **kw):
    return ProjectEvent.objects.create(
        project=project, type=type_, actor=recorded(actor), comment=comment, **kw
    )


# --------------------------------------------------------------------------
# Committees


@transaction.atomic
def committee_create(
    *,
    actor,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    level: str = Standard.Level.NATIONAL,
    email: str = "",
    quorum: float | str = "0.5",
    approval_threshold: float | str = "0.75",
    disapproval_max: float | str = "0.25",
) -> Committee:
    """Register a technical committee or working group and its ballot rules
    (fractions between 0 and 1)."""
    if actor is not None:
        require_staff(actor)
    code = code.strip()
    if not code:
        raise ApplicationError(_("A committee needs a code, e.g. SAC/TC 176."))
    from decimal import Decimal, InvalidOperation

    try:
        fractions = [
            Decimal(str(v)) for v in (quorum, approval_threshold, disapproval_max)
        ]
    except InvalidOperation as exc:
        raise ApplicationError(
            _("Ballot rules must be fractions such as 0.75.")
        ) from exc
    if any(f < 0 or f > 1 for f in fractions):
        raise ApplicationError(_("Ballot rules must be fractions between 0 and 1."))
    if level not in Standard.Level.values:
        raise ApplicationError(
            _("Unknown level: %(level)s.") % {"level": level},
            details={"level": "unknown"},
        )
    _check_public_input(
        Committee, email=email, code=code, name_zh=name_zh, name_en=name_en
    )
    if Committee.objects.filter(code=code).exists():
        raise Conflict(_("Committee %(code)s exists already.") % {"code": code})
    return Committee.objects.create(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        level=level,
        email=email,
        quorum=fractions[0],
        approval_threshold=fractions[1],
        disapproval_max=fractions[2],
    )


@transaction.atomic
def committee_member_add(
    *,
    committee: Committee,
    user,
    actor,
    role: str = CommitteeMember.Role.MEMBER,
    organisation: Organisation | None = None,
) -> CommitteeMember:
    """Seat ``user`` on ``committee`` (or change their role), representing
    ``organisation`` (a registered organisation, or none recorded)."""
    if actor is not None:
        _require_manager(actor, committee)
    if role not in CommitteeMember.Role.values:
        raise ApplicationError(_("Unknown committee role: %(r)s.") % {"r": role})
    organisation = _check_organisation("organisation", organisation)
    member, _created = CommitteeMember.objects.update_or_create(
        committee=committee,
        user=user,
        defaults={"role": role, "organisation": organisation},
    )
    return member


# --------------------------------------------------------------------------
# Projects and the workflow


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
    proposer_organisation = _check_organisation(
        "proposer_organisation", proposer_organisation
    )
    units = _check_drafting_units(drafting_units)
    workflow.workflow_ensure()
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
    _event(
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
        _check_organisation("proposer_organisation", fields["proposer_organisation"])
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
    _event(
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
    roles. Entering *consultation* opens a public consultation until
    ``deadline``; entering *review* needs every comment resolved and opens a
    committee ballot; *submitted* needs a passed ballot; *published* creates
    the catalogue record (replacing the revised standard) issued on
    ``issued_on`` (default today). Anything refused changes nothing.
    """
    workflow.workflow_ensure()
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
    details: dict = {}
    today = timezone.localdate()
    target = transition.to_state.slug

    open_consultation = project.consultations.filter(
        status=Consultation.Status.OPEN
    ).first()
    open_ballot = project.ballots.filter(status=Ballot.Status.OPEN).first()

    if target == workflow.CONSULTATION:
        if not (project.draft_file or project.draft_text.strip()):
            raise ApplicationError(
                _("Attach the draft for comments (a file or its text) first.")
            )
        if deadline is None or deadline <= today:
            raise ApplicationError(
                _("Give a consultation deadline after today (usually 60 days).")
            )
        try:
            with transaction.atomic():
                consultation = Consultation.objects.create(
                    project=project, opens_on=today, closes_on=deadline
                )
        except IntegrityError as exc:
            raise Conflict(_("This project already has an open consultation.")) from exc
        details["consultation"] = consultation.pk
        details["closes_on"] = deadline.isoformat()
    if current.slug == workflow.CONSULTATION:
        # This stage's consultation: still open, or closed at its deadline.
        stage_consultation = (
            open_consultation
            or project.consultations.order_by("-opens_on", "-id").first()
        )
        if target == workflow.REVIEW and stage_consultation is not None:
            pending = stage_consultation.comments.filter(
                resolution=Comment.Resolution.PENDING
            ).count()
            if pending:
                raise Conflict(
                    _(
                        "%(n)d comment(s) are still unresolved; resolve every "
                        "comment before the committee review."
                    )
                    % {"n": pending}
                )
        if open_consultation is not None:
            _consultation_close(open_consultation)
            details["consultation_closed"] = open_consultation.pk
    if target == workflow.REVIEW:
        if project.committee is None:
            raise ApplicationError(
                _("Assign the responsible committee before the committee review.")
            )
        if deadline is not None and deadline < today:
            raise ApplicationError(_("The ballot cannot close before today."))
        closes = deadline or (today + datetime.timedelta(days=30))
        ballot = Ballot.objects.create(
            project=project, committee=project.committee, closes_on=closes
        )
        details["ballot"] = ballot.pk
    if current.slug == workflow.REVIEW and target in (
        workflow.DRAFTING,
        workflow.SUBMITTED,
    ):
        if open_ballot is not None:
            raise Conflict(_("Close the committee ballot first."))
        last = project.ballots.order_by("-created_at", "-id").first()
        if target == workflow.SUBMITTED and (
            last is None or last.result != Ballot.Result.PASSED
        ):
            raise Conflict(
                _("Only a draft whose committee ballot passed can be submitted.")
            )
    if target in (workflow.SUSPENDED, workflow.CANCELLED) and open_ballot is not None:
        open_ballot.status = Ballot.Status.CLOSED
        open_ballot.closed_at = timezone.now()
        open_ballot.result_reason = _("Ballot stopped: the project was %(s)s.") % {
            "s": transition.to_state
        }
        open_ballot.save()
    if target == workflow.PUBLISHED:
        details.update(_publish(project, actor=actor, issued_on=issued_on or today))
    if target == workflow.IMPLEMENTED:
        standard = project.standard
        if standard and standard.implemented_on and standard.implemented_on > today:
            raise Conflict(
                _("%(id)s is implemented on %(day)s; mark it implemented from then.")
                % {"id": standard.identifier, "day": standard.implemented_on}
            )
    project.state = transition.to_state
    project.save(update_fields=["state", "standard", "updated_at"])
    _event(
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


def _publish(project: Project, *, actor, issued_on: datetime.date) -> dict:
    """Create the catalogue record for the published standard and, for a
    revision, record that it replaces the old edition."""
    from qihub.catalog import services as catalog_services

    if not project.identifier.strip():
        raise ApplicationError(
            _("Set the standard number the project will be published under first.")
        )
    implemented_on = add_months(issued_on, project.implementation_months)
    standard = catalog_services.standard_create(
        actor=actor,
        identifier=project.identifier,
        title_zh=project.title_zh,
        title_en=project.title_en,
        issued_on=issued_on,
        implemented_on=implemented_on,
        ics=[c for c in project.ics.replace(";", ",").split(",") if c.strip()],
        committee=project.committee.code if project.committee else "",
        scope=project.scope,
        source="lifecycle",
        reason=_("Published by standard project %(code)s.") % {"code": project.code},
    )
    catalog_services.standard_set_drafting_units(
        standard=standard,
        organisations=project.drafting_organisations(),
        actor=actor,
        reason=_("Drafting units of standard project %(code)s.")
        % {"code": project.code},
    )
    if project.replaces is not None:
        catalog_services.standard_replace(
            old=project.replaces,
            new=standard,
            actor=actor,
            reason=_("Revised by standard project %(code)s.") % {"code": project.code},
        )
    project.standard = standard
    for patent in project.patents.filter(standard__isnull=True):
        patent.standard = standard
        patent.save(update_fields=["standard"])
    return {
        "standard": standard.pk,
        "identifier": standard.identifier,
        "issued_on": issued_on.isoformat(),
        "implemented_on": implemented_on.isoformat(),
        "replaces": project.replaces.identifier if project.replaces else None,
    }


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


# --------------------------------------------------------------------------
# Public consultation


def _consultation_close(consultation: Consultation) -> None:
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at", "updated_at"])


def consultations_close_expired(*, today: datetime.date | None = None) -> int:
    """Close the open consultations whose deadline has passed (run daily by
    the scheduler), each with a *consultation closed* event in its
    project's history; returns how many. The project stays in consultation
    until its comments are resolved and it moves on. Comments were refused
    from the day after the deadline already, and pages show such a
    consultation as closed before this runs (``Consultation.is_open``)."""
    today = today or timezone.localdate()
    closed = 0
    expired = Consultation.objects.filter(
        status=Consultation.Status.OPEN, closes_on__lt=today
    ).values_list("pk", flat=True)
    for pk in expired:
        with transaction.atomic():
            consultation = (
                Consultation.objects.select_for_update(of=("self",))
                .select_related("project")
                .get(pk=pk)
            )
            if consultation.status != Consultation.Status.OPEN:
                continue  # closed meanwhile by a transition
            _consultation_close(consultation)
            _event(
                consultation.project,
                ProjectEvent.Type.CONSULTATION_CLOSED,
                actor=None,
                comment=_("The consultation deadline (%(day)s) has passed.")
                % {"day": consultation.closes_on.isoformat()},
                details={
                    "consultation": consultation.pk,
                    "closes_on": consultation.closes_on.isoformat(),
                    "comments": consultation.comments.count(),
                },
            )
            closed += 1
    return closed


@transaction.atomic
def comment_submit(
    *,
    consultation: Consultation,
    actor,
    text: str,
    commenter: str = "",
    organisation_name: str = "",
    email: str = "",
    clause: str = "",
    paragraph: str = "",
    type: str = Comment.Type.GENERAL,
    proposed_change: str = "",
    ip: str | None = None,
) -> Comment:
    """Comment on a draft in consultation. Anyone may comment until the
    deadline; anonymous visitors are rate-limited per address. The
    organisation is kept as typed and linked when it names a registered one."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.OPEN:
        raise Conflict(_("This consultation is closed; comments are no longer taken."))
    if timezone.localdate() > consultation.closes_on:
        raise Conflict(
            _("The consultation closed on %(day)s.") % {"day": consultation.closes_on}
        )
    if not text.strip():
        raise ApplicationError(_("Write your comment."), details={"text": "required"})
    if type not in Comment.Type.values:
        raise ApplicationError(_("Type of comment must be ge, te or ed."))
    _check_public_input(
        Comment,
        email=email,
        commenter=commenter,
        organisation_name=organisation_name,
        clause=clause,
        paragraph=paragraph,
        text=text,
        proposed_change=proposed_change,
    )
    user = recorded(actor)
    if not commenter.strip():
        if user is None:
            raise ApplicationError(
                _("Give your name so the committee can answer you."),
                details={"commenter": "required"},
            )
        commenter = user.get_full_name() or user.username
    anonymous_rate_check(user=user, ip=ip, scope="comment")
    number = (consultation.comments.aggregate(n=Max("number"))["n"] or 0) + 1
    return Comment.objects.create(
        consultation=consultation,
        number=number,
        user=user,
        commenter=commenter.strip(),
        organisation_name=organisation_name.strip(),
        organisation=_public_organisation(organisation_name),
        email=email.strip(),
        clause=clause.strip(),
        paragraph=paragraph.strip(),
        type=type,
        text=text.strip(),
        proposed_change=proposed_change.strip(),
    )


@transaction.atomic
def comment_resolve(
    *, comment: Comment, actor, resolution: str, observations: str = ""
) -> Comment:
    """Record the committee's decision on a comment: accepted, partially
    accepted or rejected (the last two need a reason)."""
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("consultation__project__committee")
        .get(pk=comment.pk)
    )
    _require_manager(actor, comment.consultation.project.committee)
    if resolution not in Comment.Resolution.values or resolution == "pending":
        raise ApplicationError(
            _("Choose accepted, partially accepted or rejected."),
            details={"resolution": resolution},
        )
    if resolution != Comment.Resolution.ACCEPTED and not observations.strip():
        raise ApplicationError(
            _("Give the reason when a comment is not fully accepted."),
            details={"observations": "required"},
        )
    project = comment.consultation.project
    if project.state.slug not in (workflow.CONSULTATION, workflow.DRAFTING):
        raise Conflict(
            _("Comments can be resolved only while the project is in consultation.")
        )
    old = comment.resolution
    comment.resolution = resolution
    comment.observations = observations.strip()
    comment.resolved_by = recorded(actor)
    comment.resolved_at = timezone.now()
    comment.save()
    _event(
        project,
        ProjectEvent.Type.COMMENT_RESOLVED,
        actor=actor,
        comment=observations,
        details={"comment": comment.number, "resolution": [old, resolution]},
    )
    return comment


# --------------------------------------------------------------------------
# Ballots


@transaction.atomic
def ballot_vote(*, ballot: Ballot, actor, choice: str, comment: str = "") -> Vote:
    """Cast (or change) a committee member's vote while the ballot is open.
    A disapproval must say why."""
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.status != Ballot.Status.OPEN:
        raise Conflict(_("This ballot is closed."))
    member = CommitteeMember.objects.filter(
        committee_id=ballot.committee_id, user=recorded(actor)
    ).first()
    if member is None or not member.votes:
        raise PermissionDenied(
            _("Only voting members of %(c)s may vote on this ballot.")
            % {"c": ballot.committee.code}
        )
    if choice not in Vote.Choice.values:
        raise ApplicationError(_("Vote approve, disapprove or abstain."))
    if choice == Vote.Choice.DISAPPROVE and not comment.strip():
        raise ApplicationError(
            _("A disapproval must come with comments."), details={"comment": "required"}
        )
    vote, _created = Vote.objects.update_or_create(
        ballot=ballot, voter=actor, defaults={"choice": choice, "comment": comment}
    )
    return vote


@transaction.atomic
def ballot_close(*, ballot: Ballot, actor, comment: str = "") -> Ballot:
    """Close a ballot and record its result under the committee's quorum and
    thresholds."""
    ballot = (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("committee", "project")
        .get(pk=ballot.pk)
    )
    _require_manager(actor, ballot.committee)
    if ballot.status != Ballot.Status.OPEN:
        raise Conflict(_("This ballot is closed already."))
    committee = ballot.committee
    eligible = committee.memberships.exclude(role=CommitteeMember.Role.OBSERVER).count()
    counts = dict.fromkeys(Vote.Choice.values, 0)
    for choice in ballot.votes.values_list("choice", flat=True):
        counts[choice] += 1
    result = tally(
        eligible=eligible,
        approve=counts["approve"],
        disapprove=counts["disapprove"],
        abstain=counts["abstain"],
        quorum=committee.quorum,
        approval_threshold=committee.approval_threshold,
        disapproval_max=committee.disapproval_max,
    )
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_at = timezone.now()
    ballot.result = Ballot.Result.PASSED if result.passed else Ballot.Result.FAILED
    ballot.counts = result.as_dict()
    ballot.result_reason = result.reason
    ballot.save()
    _event(
        ballot.project,
        ProjectEvent.Type.BALLOT_CLOSED,
        actor=actor,
        comment=comment,
        details={"ballot": ballot.pk, "result": ballot.result, **ballot.counts},
    )
    return ballot


# --------------------------------------------------------------------------
# Patents


@transaction.atomic
def patent_disclose(
    *,
    actor,
    patent_number: str,
    holder: str,
    licensing: str,
    declarant: str = "",
    project: Project | None = None,
    standard: Standard | None = None,
    title: str = "",
    email: str = "",
    ip: str | None = None,
) -> PatentDisclosure:
    """Declare a patent that may be essential to a draft or a standard.
    Anyone may declare; the declaration is public. The holder is kept as
    typed and linked when it names a registered organisation."""
    if project is None and standard is None:
        raise ApplicationError(_("Say which project or standard the patent concerns."))
    if not patent_number.strip() or not holder.strip():
        raise ApplicationError(_("Give the patent number and its holder."))
    if licensing not in PatentDisclosure.Licensing.values:
        raise ApplicationError(
            _("Choose a licensing declaration: free, FRAND or not willing.")
        )
    _check_public_input(
        PatentDisclosure,
        email=email,
        patent_number=patent_number,
        title=title,
        holder=holder,
        declarant=declarant,
    )
    user = recorded(actor)
    if not declarant.strip():
        if user is None:
            raise ApplicationError(
                _("Give your name."), details={"declarant": "required"}
            )
        declarant = user.get_full_name() or user.username
    anonymous_rate_check(user=user, ip=ip, scope="patent")
    if standard is None and project is not None:
        standard = project.standard
    patent = PatentDisclosure.objects.create(
        project=project,
        standard=standard,
        patent_number=patent_number.strip(),
        title=title.strip(),
        holder=holder.strip(),
        holder_organisation=_public_organisation(holder),
        licensing=licensing,
        declarant=declarant.strip(),
        email=email.strip(),
        user=user,
    )
    if project is not None:
        _event(
            project,
            ProjectEvent.Type.PATENT,
            actor=actor,
            details={"patent": patent.patent_number, "licensing": licensing},
        )
    return patent


@transaction.atomic
def patent_link_holder(
    *, patent: PatentDisclosure, actor, organisation: Organisation | None
) -> PatentDisclosure:
    """Staff link a disclosure's holder to its registered organisation (or
    unlink it); the holder's name as declared stays."""
    require_staff(actor, _("Only institute staff may link a patent holder."))
    organisation = _check_organisation("holder_organisation", organisation)
    patent = PatentDisclosure.objects.select_for_update().get(pk=patent.pk)
    old = patent.holder_organisation_id
    patent.holder_organisation = organisation
    patent.save(update_fields=["holder_organisation"])
    if patent.project_id and old != patent.holder_organisation_id:
        _event(
            patent.project,
            ProjectEvent.Type.PATENT,
            actor=actor,
            details={
                "patent": patent.patent_number,
                "holder_organisation": [old, patent.holder_organisation_id],
            },
        )
    return patent


# --------------------------------------------------------------------------
# Research projects


@transaction.atomic
def research_project_create(
    *,
    actor,
    code: str,
    title_zh: str = "",
    title_en: str = "",
    programme: str = "",
    lead_organisation: Organisation | None = None,
    leader: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    summary: str = "",
) -> ResearchProject:
    """Register a standards research project led by ``lead_organisation``."""
    if actor is not None:
        require_staff(actor)
    if not code.strip() or not (title_zh.strip() or title_en.strip()):
        raise ApplicationError(_("A research project needs a code and a title."))
    if starts_on and ends_on and ends_on < starts_on:
        raise ApplicationError(_("The end date cannot be before the start date."))
    _check_public_input(
        ResearchProject,
        code=code,
        title_zh=title_zh,
        title_en=title_en,
        programme=programme,
        leader=leader,
        summary=summary,
    )
    lead_organisation = _check_organisation("lead_organisation", lead_organisation)
    if ResearchProject.objects.filter(code=code.strip()).exists():
        raise Conflict(_("Research project %(c)s exists already.") % {"c": code})
    return ResearchProject.objects.create(
        code=code.strip(),
        title_zh=title_zh,
        title_en=title_en,
        programme=programme,
        lead_organisation=lead_organisation,
        leader=leader,
        starts_on=starts_on,
        ends_on=ends_on,
        summary=summary,
    )


@transaction.atomic
def research_milestone_add(
    *,
    research_project: ResearchProject,
    actor,
    title: str,
    due_on: datetime.date | None = None,
    reached_on: datetime.date | None = None,
) -> ResearchMilestone:
    """Plan a milestone (or record one reached)."""
    if actor is not None:
        require_staff(actor)
    if not title.strip():
        raise ApplicationError(_("A milestone needs a title."))
    _check_public_input(ResearchMilestone, title=title)
    return ResearchMilestone.objects.create(
        research_project=research_project,
        title=title.strip(),
        due_on=due_on,
        reached_on=reached_on,
    )


@transaction.atomic
def research_review_record(
    *,
    research_project: ResearchProject,
    actor,
    kind: str,
    outcome: str,
    held_on: datetime.date,
    conclusion: str = "",
    panel: str = "",
) -> ResearchReview:
    """Record a mid-term evaluation or the final acceptance; the project's
    status follows (accepted, not accepted, evaluated)."""
    if actor is not None:
        require_staff(actor)
    if kind not in ResearchReview.Kind.values:
        raise ApplicationError(_("Kind must be evaluation or acceptance."))
    if outcome not in ResearchReview.Outcome.values:
        raise ApplicationError(_("Outcome must be passed, conditional or failed."))
    rp = ResearchProject.objects.select_for_update().get(pk=research_project.pk)
    if rp.status in (ResearchProject.Status.ACCEPTED, ResearchProject.Status.FAILED):
        raise Conflict(_("This research project has been concluded already."))
    review = ResearchReview.objects.create(
        research_project=rp,
        kind=kind,
        outcome=outcome,
        held_on=held_on,
        conclusion=conclusion,
        panel=panel,
        actor=recorded(actor),
    )
    if kind == ResearchReview.Kind.ACCEPTANCE:
        rp.status = (
            ResearchProject.Status.FAILED
            if outcome == ResearchReview.Outcome.FAILED
            else ResearchProject.Status.ACCEPTED
        )
    elif outcome != ResearchReview.Outcome.FAILED:
        rp.status = ResearchProject.Status.EVALUATED
    rp.save(update_fields=["status", "updated_at"])
    return review


# --------------------------------------------------------------------------
# Periodic review


@transaction.atomic
def periodic_review_record(
    *,
    standard: Standard,
    actor,
    outcome: str,
    reason: str = "",
    on: datetime.date | None = None,
    committee: Committee | None = None,
) -> PeriodicReview:
    """Record a periodic review (复审) outcome. *Confirm* restarts the five
    years; *revise* opens a revision project; *withdraw* abolishes the
    standard in the catalogue."""
    require_staff(actor, _("Only institute staff may record a periodic review."))
    if outcome not in PeriodicReview.Outcome.values:
        raise ApplicationError(_("Outcome must be confirm, revise or withdraw."))
    if not standard.is_valid:
        raise Conflict(
            _("%(id)s is %(s)s; only valid standards are reviewed.")
            % {"id": standard.identifier, "s": standard.get_status_display()}
        )
    if outcome != PeriodicReview.Outcome.CONFIRM and not reason.strip():
        raise ApplicationError(_("Give the reason for revising or withdrawing."))
    on = on or timezone.localdate()
    review = PeriodicReview(
        standard=standard,
        outcome=outcome,
        decided_on=on,
        reason=reason.strip(),
        actor=recorded(actor),
    )
    if outcome == PeriodicReview.Outcome.WITHDRAW:
        from qihub.catalog import services as catalog_services

        catalog_services.standard_withdraw(
            standard=standard, actor=actor, reason=reason, on=on
        )
    elif outcome == PeriodicReview.Outcome.REVISE:
        review.revision_project = project_create(
            actor=actor,
            kind=Project.Kind.REVISION,
            level=standard.level
            if standard.level != Standard.Level.INTERNATIONAL
            else Standard.Level.NATIONAL,
            title_zh=standard.title_zh,
            title_en=standard.title_en,
            replaces=standard,
            committee=committee
            or Committee.objects.filter(code=standard.committee).first(),
            scope=standard.scope,
            comment=_("Opened by the periodic review: %(r)s") % {"r": reason},
        )
    review.save()
    return review


# --------------------------------------------------------------------------
# Implementation feedback and complaints

FEEDBACK_MOVES = {
    Feedback.Status.RECEIVED: {
        Feedback.Status.TRIAGED,
        Feedback.Status.ASSIGNED,
        Feedback.Status.REJECTED,
        Feedback.Status.ANSWERED,
    },
    Feedback.Status.TRIAGED: {
        Feedback.Status.ASSIGNED,
        Feedback.Status.REJECTED,
        Feedback.Status.ANSWERED,
    },
    Feedback.Status.ASSIGNED: {Feedback.Status.ANSWERED, Feedback.Status.REJECTED},
    Feedback.Status.ANSWERED: {Feedback.Status.CLOSED, Feedback.Status.ASSIGNED},
    Feedback.Status.REJECTED: {Feedback.Status.CLOSED},
    Feedback.Status.CLOSED: set(),
}


def _next_tracking_number(today: datetime.date) -> str:
    prefix = f"FB-{today.year}-"
    last = (
        Feedback.objects.filter(tracking_number__startswith=prefix)
        .order_by("-tracking_number")
        .values_list("tracking_number", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:06d}"


@transaction.atomic
def feedback_submit(
    *,
    standard: Standard,
    actor,
    name: str,
    subject: str,
    body: str,
    kind: str = Feedback.Kind.FEEDBACK,
    organisation_name: str = "",
    email: str = "",
    clause: str = "",
    ip: str | None = None,
) -> Feedback:
    """Submit implementation feedback or a complaint on a published standard.
    The submitter follows it by its tracking number. The organisation is kept
    as typed and linked when it names a registered one."""
    if standard.status == Standard.Status.DRAFT:
        raise ApplicationError(_("Feedback is taken on published standards only."))
    if kind not in Feedback.Kind.values:
        raise ApplicationError(_("Choose feedback or complaint."))
    _check_public_input(
        Feedback,
        email=email,
        name=name,
        organisation_name=organisation_name,
        clause=clause,
        subject=subject,
        body=body,
    )
    user = recorded(actor)
    if not name.strip() and user is not None:
        name = user.get_full_name() or user.username
    missing = [
        f
        for f, v in (("name", name), ("subject", subject), ("body", body))
        if not v.strip()
    ]
    if missing:
        raise ApplicationError(
            _("Fill in your name, a subject and the description."),
            details=dict.fromkeys(missing, "required"),
        )
    anonymous_rate_check(user=user, ip=ip, scope="feedback")
    today = timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    tracking_number=_next_tracking_number(today),
                    standard=standard,
                    kind=kind,
                    name=name.strip(),
                    organisation_name=organisation_name.strip(),
                    organisation=_public_organisation(organisation_name),
                    email=email.strip(),
                    user=user,
                    clause=clause.strip(),
                    subject=subject.strip(),
                    body=body.strip(),
                )
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(_("Could not allocate a tracking number; please retry."))
    FeedbackEvent.objects.create(
        feedback=feedback, actor=user, to_status=Feedback.Status.RECEIVED
    )
    return feedback


@transaction.atomic
def feedback_handle(
    *,
    feedback: Feedback,
    actor,
    status: str,
    committee: Committee | None = None,
    response: str = "",
    note: str = "",
) -> Feedback:
    """Move feedback on: triage, assign to the responsible committee, answer
    (the response is shown to the submitter), reject or close."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    target_committee = committee or feedback.committee
    is_staff = has_role(actor, Role.STAFF)
    if not is_staff:
        # A committee officer handles only what is assigned to their committee
        # and cannot hand it to another committee.
        if feedback.committee is None or not may_manage(actor, feedback.committee):
            raise PermissionDenied(
                _("Only staff or the assigned committee may handle feedback.")
            )
        if committee is not None and committee != feedback.committee:
            raise PermissionDenied(
                _("Only staff or the assigned committee may handle feedback.")
            )
    if status not in FEEDBACK_MOVES.get(feedback.status, set()):
        raise Conflict(
            _("Feedback that is %(old)s cannot become %(new)s.")
            % {
                "old": feedback.get_status_display(),
                "new": Feedback.Status(status).label
                if status in Feedback.Status.values
                else status,
            }
        )
    if status == Feedback.Status.ASSIGNED and target_committee is None:
        raise ApplicationError(_("Choose the committee to assign it to."))
    if status in (Feedback.Status.ANSWERED, Feedback.Status.REJECTED) and not (
        response.strip()
    ):
        raise ApplicationError(_("Write the response the submitter will read."))
    old = feedback.status
    feedback.status = status
    if committee is not None:
        feedback.committee = committee
    if response.strip():
        feedback.response = response.strip()
        feedback.responded_at = timezone.now()
    feedback.save()
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=recorded(actor),
        from_status=old,
        to_status=status,
        note=note or response,
    )
    if feedback.email and response.strip():
        number, mail_to = feedback.tracking_number, feedback.email
        body = response.strip()
        transaction.on_commit(
            lambda: send_mail(
                _("Your feedback %(n)s") % {"n": number},
                body,
                settings.DEFAULT_FROM_EMAIL,
                [mail_to],
            )
        )
    return feedback


# --------------------------------------------------------------------------
# Deadline reminders


def deadline_reminders_send(
    *, today: datetime.date | None = None, days: int = 14
) -> dict[str, int]:
    """E-mail committee secretaries and proposers about overdue projects and
    consultations closing within ``days``, members who have not voted on a
    ballot closing within ``days``, and periodic reviews due (staff get those
    of standards without a known committee). One mail per recipient.
    Returns counts."""
    today = today or timezone.localdate()
    outbox: dict[str, list[str]] = {}

    def recipients(committee: Committee | None, proposer=None) -> list[str]:
        found = []
        if committee is not None:
            if committee.email:
                found.append(committee.email)
            found += [
                m.user.email
                for m in committee.memberships.all()
                if m.role
                in (CommitteeMember.Role.SECRETARY, CommitteeMember.Role.CHAIR)
                and m.user.email
            ]
        if proposer is not None and proposer.email:
            found.append(proposer.email)
        if not found:
            found = list(
                get_user_model()
                .objects.filter(groups__name__in=[Role.STAFF], is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        return sorted(set(found))

    counts = {"overdue": 0, "closing": 0, "ballots": 0, "reviews": 0, "mails": 0}
    for project in selectors.projects_overdue(today=today):
        counts["overdue"] += 1
        line = _(
            "Overdue: %(code)s %(title)s was planned for %(day)s (now %(state)s)."
        ) % {
            "code": project.code,
            "title": project.title,
            "day": project.due_on,
            "state": project.state,
        }
        for to in recipients(project.committee, project.proposer):
            outbox.setdefault(to, []).append(line)
    for consultation in selectors.consultations_closing(today=today, days=days):
        counts["closing"] += 1
        project = consultation.project
        line = _("Consultation on %(code)s %(title)s closes on %(day)s.") % {
            "code": project.code,
            "title": project.title,
            "day": consultation.closes_on,
        }
        for to in recipients(project.committee, project.proposer):
            outbox.setdefault(to, []).append(line)
    for ballot in selectors.ballots_closing(today=today, days=days):
        counts["ballots"] += 1
        voted = {v.voter_id for v in ballot.votes.all()}
        line = _(
            "Ballot on %(code)s %(title)s closes on %(day)s; your vote is missing."
        ) % {
            "code": ballot.project.code,
            "title": ballot.project.title,
            "day": ballot.closes_on,
        }
        for member in ballot.committee.memberships.all():
            if member.votes and member.user_id not in voted and member.user.email:
                outbox.setdefault(member.user.email, []).append(line)
    committees = {
        c.code: c for c in Committee.objects.prefetch_related("memberships__user")
    }
    for standard in selectors.periodic_reviews_due(today=today):
        counts["reviews"] += 1
        line = _("Periodic review due for %(id)s %(title)s by %(day)s.") % {
            "id": standard.identifier,
            "title": standard.title,
            "day": standard.review_due_on,
        }
        for to in recipients(committees.get(standard.committee)):
            outbox.setdefault(to, []).append(line)
    for to, lines in outbox.items():
        send_mail(
            _("qihub: standard project deadlines"),
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [to],
        )
        counts["mails"] += 1
    return counts
