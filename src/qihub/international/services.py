"""Writes of the international domain: technical bodies, posts, projects,
training, and TBT notification matching. Staff only (``actor=None`` is the
platform itself: imports, demo data); each write records its event."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard, StandardRelation
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.core.roles import is_staff_member
from qihub.international import stages
from qihub.international.models import (
    InternationalEvent,
    InternationalProject,
    Post,
    TechnicalBody,
    Trainee,
    TrainingCourse,
)
from qihub.organisations.models import Organisation

_BODY_REF = re.compile(
    r"^(?P<org>ISO/IEC JTC ?1|ISO/IEC|ISO|IEC|ITU-[TR]|ITU)"
    r"(?:/(?P<path>(?:(?:TC|SC|WG|SG|JTC) ?\d+)(?:/(?:TC|SC|WG|SG) ?\d+)*))?$",
    re.IGNORECASE,
)


def _check_actor(actor) -> None:
    if actor is not None and not is_staff_member(actor):
        raise PermissionDenied(
            _("Only institute staff may record international standardization work.")
        )


def _event(type_: str, *, actor, reason: str = "", **kw) -> None:
    details = kw.pop("details", {})
    InternationalEvent.objects.create(
        type=type_, actor=actor, reason=reason, details=details, **kw
    )


def parse_body_reference(reference: str) -> tuple[str, str, int, str]:
    """``ISO/TC 34/SC 5`` → ``("ISO", "SC", 5, "ISO/TC 34")``: the standards
    organisation, the kind and number of the last level, and the parent's
    reference ("" for a TC)."""
    text = re.sub(r"\s+", " ", reference.strip())
    m = _BODY_REF.match(text)
    if not m or not m.group("path"):
        raise ApplicationError(
            _(
                "%(ref)s is not a technical body reference: write it as "
                "ISO/TC 34, ISO/TC 34/SC 5 or IEC/TC 61/WG 4."
            )
            % {"ref": reference or "''"},
            details={"reference": reference},
        )
    org = m.group("org").upper()
    body = {"ISO/IEC JTC 1": "ISO/IEC", "ISO/IEC JTC1": "ISO/IEC"}.get(org, org)
    if body.startswith("ITU"):
        body = "ITU"
    parts = [
        re.sub(r"^([A-Z]+) ?", r"\1 ", p.upper()) for p in m.group("path").split("/")
    ]
    last = parts[-1]
    kind, number = last.split(" ")
    kind = {"SG": "WG", "JTC": "TC"}.get(kind, kind)
    parent = f"{org}/{'/'.join(parts[:-1])}" if len(parts) > 1 else ""
    return body, kind, int(number), parent


def canonical_body_reference(reference: str) -> str:
    parse_body_reference(reference)  # refuses what is not a reference
    text = re.sub(r"\s+", " ", reference.strip()).upper()
    return re.sub(r"/(TC|SC|WG|SG|JTC) ?(\d+)", r"/\1 \2", text)


@transaction.atomic
def body_register(
    *,
    actor,
    reference: str,
    title_en: str = "",
    title_zh: str = "",
    mirror_committee=None,
    mirror_name: str = "",
    mirror_organisation: Organisation | None = None,
) -> TechnicalBody:
    """Register an ISO/IEC/ITU technical body from its reference; its parent
    (the TC of an SC, the SC of a WG) is registered too when missing."""
    _check_actor(actor)
    body, kind, number, parent_ref = parse_body_reference(reference)
    ref = canonical_body_reference(reference)
    if TechnicalBody.objects.filter(reference=ref).exists():
        raise Conflict(
            _("%(ref)s is already registered.") % {"ref": ref},
            details={"reference": ref},
        )
    parent = None
    if parent_ref:
        parent = TechnicalBody.objects.filter(
            reference=canonical_body_reference(parent_ref)
        ).first() or body_register(actor=actor, reference=parent_ref)
    tb = TechnicalBody.objects.create(
        reference=ref,
        body=body,
        kind=kind,
        number=number,
        title_en=title_en.strip(),
        title_zh=title_zh.strip(),
        parent=parent,
        mirror_committee=mirror_committee,
        mirror_name=mirror_name.strip()
        or (mirror_committee.code if mirror_committee else ""),
        mirror_organisation=mirror_organisation,
    )
    _event(InternationalEvent.Type.BODY_REGISTERED, actor=actor, body=tb)
    return tb


def body_find_or_register(*, actor, reference: str) -> TechnicalBody:
    ref = canonical_body_reference(reference)
    found = TechnicalBody.objects.filter(reference=ref).first()
    return found or body_register(actor=actor, reference=ref)


@transaction.atomic
def post_assign(
    *,
    actor,
    body: TechnicalBody,
    role: str,
    organisation: Organisation | None,
    term_start: datetime.date | None,
    term_end: datetime.date | None,
    person_name: str = "",
    user=None,
) -> Post:
    """Record a post held in a technical body for a term. Every post has a
    term: ISO and IEC appoint chairs, convenors and experts for a period."""
    _check_actor(actor)
    if role not in Post.Role.values:
        raise ApplicationError(
            _("Unknown role %(role)s: one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Post.Role.values)},
            details={"role": role},
        )
    if organisation is None:
        raise ApplicationError(
            _("A post needs the organisation of its holder."),
            details={"organisation": ""},
        )
    if term_start is None or term_end is None:
        missing = "term_start" if term_start is None else "term_end"
        raise ApplicationError(
            _("A post needs its term: give both term_start and term_end."),
            details={missing: ""},
        )
    if term_end <= term_start:
        raise ApplicationError(
            _("The term ends (%(end)s) before it starts (%(start)s).")
            % {"end": term_end, "start": term_start},
            details={"term_end": str(term_end)},
        )
    if role != Post.Role.SECRETARIAT and not person_name.strip() and user is None:
        raise ApplicationError(
            _("A %(role)s post needs the person who holds it.")
            % {"role": Post.Role(role).label},
            details={"person_name": ""},
        )
    post = Post.objects.create(
        body=body,
        role=role,
        organisation=organisation,
        person_name=person_name.strip()
        or (user.get_full_name() or user.username if user else ""),
        user=user,
        term_start=term_start,
        term_end=term_end,
    )
    _event(
        InternationalEvent.Type.POST_ASSIGNED,
        actor=actor,
        body=body,
        details={
            "post": post.pk,
            "role": role,
            "organisation": organisation.pk,
            "person": post.person_name,
        },
    )
    return post


def clean_stage(value: object, *, field: str = "stage") -> str:
    code = stages.normalise(value)
    if code is None:
        raise ApplicationError(
            _(
                "Unknown stage code %(code)s: use an ISO harmonized stage code "
                "such as 10.99, 40.20 or 60.60."
            )
            % {"code": value if value not in (None, "") else "''"},
            details={field: str(value)},
        )
    return code


def domestic_adoption_of(standard: Standard | None) -> Standard | None:
    """The newest domestic standard that adopts ``standard`` (any degree)."""
    if standard is None:
        return None
    rel = (
        StandardRelation.objects.filter(
            target=standard, kind=StandardRelation.Kind.ADOPTS
        )
        .select_related("source")
        .order_by("-source__year", "-source_id")
        .first()
    )
    return rel.source if rel else None


@transaction.atomic
def project_register(
    *,
    actor,
    reference: str,
    stage: object,
    title_en: str = "",
    title_zh: str = "",
    body: TechnicalBody | None = None,
    leading_organisation: Organisation | None = None,
    leader_name: str = "",
    participants: Iterable[Organisation] = (),
    proposed_on: datetime.date | None = None,
    stage_on: datetime.date | None = None,
    target_dis_on: datetime.date | None = None,
    target_publication_on: datetime.date | None = None,
    standard: Standard | None = None,
    external_id: str = "",
) -> InternationalProject:
    """Register an international project (a new work item proposal and what
    follows) at a harmonized stage. The domestic adoption of the standard it
    published is found from the catalogue's adoption relations."""
    _check_actor(actor)
    reference = re.sub(r"\s+", " ", reference.strip())
    if not reference:
        raise ApplicationError(
            _("A project needs its reference (ISO/NP 12345)."),
            details={"reference": ""},
        )
    code = clean_stage(stage)
    if InternationalProject.objects.filter(reference=reference).exists():
        raise Conflict(
            _("%(ref)s is already registered.") % {"ref": reference},
            details={"reference": reference},
        )
    project = InternationalProject.objects.create(
        reference=reference,
        title_en=title_en.strip(),
        title_zh=title_zh.strip(),
        body=body,
        committee_text=body.reference if body else "",
        leading_organisation=leading_organisation,
        leader_name=leader_name.strip(),
        stage=code,
        stage_on=stage_on,
        proposed_on=proposed_on,
        target_dis_on=target_dis_on,
        target_publication_on=target_publication_on,
        standard=standard,
        domestic_adoption=domestic_adoption_of(standard),
        external_id=str(external_id or ""),
    )
    others = [o for o in participants if o != leading_organisation]
    if others:
        project.participants.set(others)
    _event(
        InternationalEvent.Type.PROJECT_REGISTERED,
        actor=actor,
        project=project,
        details={"stage": code},
    )
    return project


@transaction.atomic
def project_set_stage(
    *,
    actor,
    project: InternationalProject,
    stage: object,
    on: datetime.date | None = None,
    standard: Standard | None = None,
    reason: str = "",
) -> InternationalProject:
    """Move a project to another harmonized stage (and, on publication, link
    the standard it published and its domestic adoption)."""
    _check_actor(actor)
    code = clean_stage(stage)
    old = project.stage
    project.stage = code
    project.stage_on = on or timezone.localdate()
    if standard is not None:
        project.standard = standard
    project.domestic_adoption = domestic_adoption_of(project.standard)
    project.save()
    _event(
        InternationalEvent.Type.STAGE_CHANGED,
        actor=actor,
        project=project,
        reason=reason,
        details={"from": old, "to": code},
    )
    return project


@transaction.atomic
def course_create(
    *,
    actor,
    title: str,
    training_base: Organisation,
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> TrainingCourse:
    """Record a course of an international-standards training base."""
    _check_actor(actor)
    if not title.strip():
        raise ApplicationError(_("A course needs a title."), details={"title": ""})
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ApplicationError(
            _("A course needs its dates, ending on or after its start."),
            details={"ends_on": str(ends_on)},
        )
    course = TrainingCourse.objects.create(
        title=title.strip(),
        training_base=training_base,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _event(
        InternationalEvent.Type.COURSE,
        actor=actor,
        details={"course": course.pk, "title": course.title},
    )
    return course


@transaction.atomic
def trainee_enrol(
    *,
    actor,
    course: TrainingCourse,
    person_name: str,
    organisation: Organisation,
    certificate_number: str = "",
    completed_on: datetime.date | None = None,
) -> Trainee:
    """Enrol a person on a course; with a certificate number they completed
    it (on ``completed_on``, by default the course's last day)."""
    _check_actor(actor)
    if not person_name.strip():
        raise ApplicationError(
            _("A trainee needs a name."), details={"person_name": ""}
        )
    number = certificate_number.strip()
    if number and Trainee.objects.filter(certificate_number=number).exists():
        raise Conflict(
            _("Certificate %(n)s is already issued.") % {"n": number},
            details={"certificate_number": number},
        )
    trainee = Trainee.objects.create(
        course=course,
        person_name=person_name.strip(),
        organisation=organisation,
        certificate_number=number,
        completed_on=(completed_on or course.ends_on) if number else None,
    )
    _event(
        InternationalEvent.Type.TRAINEE,
        actor=actor,
        details={"trainee": trainee.pk, "certificate": number},
    )
    return trainee


@transaction.atomic
def trainee_certify(
    *, actor, trainee: Trainee, certificate_number: str, completed_on=None
) -> Trainee:
    """Record a trainee's completion certificate."""
    _check_actor(actor)
    number = certificate_number.strip()
    if not number:
        raise ApplicationError(
            _("Give the certificate number."), details={"certificate_number": ""}
        )
    if (
        Trainee.objects.filter(certificate_number=number)
        .exclude(pk=trainee.pk)
        .exists()
    ):
        raise Conflict(
            _("Certificate %(n)s is already issued.") % {"n": number},
            details={"certificate_number": number},
        )
    trainee.certificate_number = number
    trainee.completed_on = completed_on or trainee.course.ends_on
    trainee.save(update_fields=["certificate_number", "completed_on", "updated_at"])
    _event(
        InternationalEvent.Type.TRAINEE,
        actor=actor,
        details={"trainee": trainee.pk, "certificate": number},
    )
    return trainee
