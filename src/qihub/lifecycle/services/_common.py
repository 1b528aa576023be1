"""Checks and helpers that several lifecycle services share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded
from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.lifecycle.access import may_manage
from qihub.lifecycle.models import Committee, Consultation, Project, ProjectEvent
from qihub.organisations.models import Organisation
from qihub.organisations.services import organisation_match

#: Longest free text accepted from the public (comments, complaints).
MAX_TEXT = 20_000


def require_manager(actor, committee: Committee | None) -> None:
    if not may_manage(actor, committee):
        raise PermissionDenied(
            _("Only institute staff or the committee's chair or secretary may do this.")
        )


def check_public_input(model, *, email: str = "", **values: str) -> None:
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


def check_organisation(field: str, value) -> Organisation | None:
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


def public_organisation(text: str) -> Organisation | None:
    """The registered organisation a name typed by the public stands for, if
    any; nothing is ever registered from public input."""
    return organisation_match(name=text) if text.strip() else None


def project_event(project: Project, type_: str, *, actor, comment: str = "", **kw):
    # ``comment`` is what the project services call the reason given.
    return ProjectEvent.objects.create(
        project=project, type=type_, actor=recorded(actor), reason=comment, **kw
    )


def consultation_close(consultation: Consultation) -> None:
    consultation.status = Consultation.Status.CLOSED
    consultation.closed_at = timezone.now()
    consultation.save(update_fields=["status", "closed_at", "updated_at"])
