"""Writes of the expert pool and the held standard texts. Every change is
published to the network by the sharing app (when the kind is published)
through the records' save signals, in the same transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.errors import ApplicationError
from qihub.core.roles import is_staff_member
from qihub.core.services import log
from qihub.pool.models import Expert, HeldText, split_fields

EXPERT_FIELDS = (
    "name_zh",
    "name_en",
    "organisation",
    "position",
    "fields",
    "email",
    "listed",
    "contact_shared",
    "consent_on",
)
HELD_TEXT_FIELDS = (
    "identifier",
    "title",
    "edition",
    "language",
    "licence_scope",
    "licence_until",
    "note",
)


def _require_staff(actor) -> None:
    if actor is not None and not is_staff_member(actor):
        raise ApplicationError(_("Only institute staff may do this."), status=403)


def expert_validate(expert: Expert) -> None:
    """Refuse an expert record that cannot be kept (tidies it in place)."""
    expert.name_zh = (expert.name_zh or "").strip()
    expert.name_en = (expert.name_en or "").strip()
    if not (expert.name_zh or expert.name_en):
        raise ApplicationError(
            _("Give the expert's name (Chinese or English)."),
            details={"name_zh": "required"},
        )
    expert.fields = "; ".join(split_fields(expert.fields or ""))
    if not expert.fields:
        raise ApplicationError(
            _("Give at least one field of expertise."), details={"fields": "required"}
        )
    if expert.listed and not expert.consent_on:
        raise ApplicationError(
            _("Record the date the expert agreed to be listed."),
            details={"consent_on": "required"},
        )
    if expert.consent_on and expert.consent_on > timezone.localdate():
        raise ApplicationError(
            _("The consent date cannot be in the future."),
            details={"consent_on": "invalid"},
        )
    if expert.contact_shared and not expert.listed:
        raise ApplicationError(
            _(
                "The e-mail address is shared only for an expert who agreed to be listed."
            ),
            details={"contact_shared": "invalid"},
        )
    if expert.contact_shared and not expert.email:
        raise ApplicationError(
            _("Give the e-mail address the expert agreed to share."),
            details={"email": "required"},
        )


@transaction.atomic
def expert_create(*, actor=None, **values) -> Expert:
    """Add a person to this institute's expert pool. Listed to the network
    only with their consent (``listed`` and the date it was given)."""
    _require_staff(actor)
    unknown = set(values) - set(EXPERT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    expert = Expert(**values)
    expert_validate(expert)
    expert.save()
    log(actor=actor, action="pool.expert_create", target=str(expert.pk))
    return expert


@transaction.atomic
def expert_update(*, expert: Expert, actor=None, **values) -> Expert:
    """Change an expert's record (the shared entry follows)."""
    _require_staff(actor)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    for name, value in values.items():
        if name not in EXPERT_FIELDS:
            raise ApplicationError(_("Unknown fields: %(fields)s.") % {"fields": name})
        setattr(expert, name, value)
    if expert.listed:
        expert.consent_withdrawn_on = None
    expert_validate(expert)
    expert.save()
    log(actor=actor, action="pool.expert_update", target=str(expert.pk))
    return expert


@transaction.atomic
def expert_consent_withdraw(
    *, expert: Expert, actor=None, on: datetime.date | None = None
) -> Expert:
    """The expert no longer agrees to be listed: they leave the shared pool
    (a tombstone in the feed) and their e-mail address is no longer shared."""
    _require_staff(actor)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not expert.listed:
        raise ApplicationError(
            _("This expert is not listed: there is no consent to withdraw."),
            status=409,
        )
    expert.listed = False
    expert.contact_shared = False
    expert.consent_withdrawn_on = on or timezone.localdate()
    expert.save()
    log(actor=actor, action="pool.expert_consent_withdraw", target=str(expert.pk))
    return expert


def held_text_validate(text: HeldText, *, exclude_pk=None) -> None:
    """Refuse a held text that cannot be listed; link it to the catalogue."""
    from qihub.catalog.identifiers import compact_key
    from qihub.catalog.models import Standard

    text.identifier = " ".join((text.identifier or "").split())
    text.edition = (text.edition or "").strip()
    text.language = (text.language or "").strip()
    if not text.identifier:
        raise ApplicationError(
            _("Give the standard's identifier."), details={"identifier": "required"}
        )
    if not text.edition:
        raise ApplicationError(
            _("Give the edition of the text held (such as 2020)."),
            details={"edition": "required"},
        )
    if text.licence_scope not in HeldText.Scope.values:
        raise ApplicationError(
            _("Unknown licence scope: %(scope)s.") % {"scope": text.licence_scope},
            details={"licence_scope": "invalid"},
        )
    text.ident_key = compact_key(text.identifier)[:200]
    if not text.ident_key:
        raise ApplicationError(
            _("Give the standard's identifier."), details={"identifier": "required"}
        )
    same = HeldText.objects.filter(
        ident_key=text.ident_key, edition=text.edition, language=text.language
    )
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise ApplicationError(
            _("This edition of %(identifier)s is already listed as held.")
            % {"identifier": text.identifier},
            status=409,
            details={"identifier": "duplicate"},
        )
    text.standard = Standard.objects.filter(ident_key=text.ident_key).first()
    if text.standard and not text.title:
        text.title = text.standard.title_zh or text.standard.title_en


@transaction.atomic
def held_text_create(*, actor=None, **values) -> HeldText:
    """List a standard text this institute holds for the network's joint
    purchase (linked to the catalogue record of its identifier, if any)."""
    _require_staff(actor)
    unknown = set(values) - set(HELD_TEXT_FIELDS)
    if unknown:
        raise ApplicationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    text = HeldText(**values)
    held_text_validate(text)
    text.save()
    log(actor=actor, action="pool.held_text_create", target=str(text.pk))
    return text


@transaction.atomic
def held_text_update(*, text: HeldText, actor=None, **values) -> HeldText:
    """Change the description of a held text (the shared entry follows)."""
    _require_staff(actor)
    text = HeldText.objects.select_for_update().get(pk=text.pk)
    for name, value in values.items():
        if name not in HELD_TEXT_FIELDS:
            raise ApplicationError(_("Unknown fields: %(fields)s.") % {"fields": name})
        setattr(text, name, value)
    held_text_validate(text, exclude_pk=text.pk)
    text.save()
    log(actor=actor, action="pool.held_text_update", target=str(text.pk))
    return text


@transaction.atomic
def held_text_release(
    *, text: HeldText, actor=None, on: datetime.date | None = None
) -> HeldText:
    """The text is no longer held (licence ended, given up): it leaves the
    shared list (a tombstone in the feed); the row stays."""
    _require_staff(actor)
    text = HeldText.objects.select_for_update().get(pk=text.pk)
    if text.released_on:
        raise ApplicationError(_("This text is already released."), status=409)
    text.released_on = on or timezone.localdate()
    text.save()
    log(actor=actor, action="pool.held_text_release", target=str(text.pk))
    return text
