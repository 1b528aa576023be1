"""Patent disclosures on drafts and standards."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError
from qihub.lifecycle.models import PatentDisclosure, Project, ProjectEvent
from qihub.lifecycle.ratelimit import anonymous_rate_check
from qihub.lifecycle.services._common import (
    check_organisation,
    check_public_input,
    project_event,
    public_organisation,
)
from qihub.organisations.models import Organisation


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
    check_public_input(
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
        holder_organisation=public_organisation(holder),
        licensing=licensing,
        declarant=declarant.strip(),
        email=email.strip(),
        user=user,
    )
    if project is not None:
        project_event(
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
    organisation = check_organisation("holder_organisation", organisation)
    patent = PatentDisclosure.objects.select_for_update().get(pk=patent.pk)
    old = patent.holder_organisation_id
    patent.holder_organisation = organisation
    patent.save(update_fields=["holder_organisation"])
    if patent.project_id and old != patent.holder_organisation_id:
        project_event(
            patent.project,
            ProjectEvent.Type.PATENT,
            actor=actor,
            details={
                "patent": patent.patent_number,
                "holder_organisation": [old, patent.holder_organisation_id],
            },
        )
    return patent
