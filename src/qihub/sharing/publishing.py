"""What each shared kind puts in the feed: the key and the data of a record,
or None when the record does not (or no longer) qualify."""

from __future__ import annotations

from collections.abc import Iterator

from qihub.sharing.models import SharedKind


def _absolute(path: str) -> str:
    from qihub.sharing.services import identity_get

    identity = identity_get()
    return f"{identity.base_url}{path}" if identity else path


def _date(value) -> str | None:
    return value.isoformat() if value else None


def standard_data(standard) -> tuple[str, str, dict | None]:
    kind = {
        "local": SharedKind.LOCAL_STANDARD,
        "group": SharedKind.GROUP_STANDARD,
    }.get(standard.level, "")
    data = {
        "identifier": standard.identifier,
        "level": standard.level,
        "status": standard.status,
        "title_zh": standard.title_zh,
        "title_en": standard.title_en,
        "issued_on": _date(standard.issued_on),
        "implemented_on": _date(standard.implemented_on),
        "url": _absolute(standard.get_absolute_url()),
    }
    return kind, standard.ident_key, data


def project_data(project) -> dict:
    return {
        "code": project.code,
        "level": project.level,
        "title_zh": project.title_zh,
        "title_en": project.title_en,
        "identifier": project.identifier,
        "stage": project.state.slug,
        "stage_zh": project.state.name_zh,
        "stage_en": project.state.name_en,
        "planned_consultation_on": _date(project.planned_consultation_on),
        "planned_submission_on": _date(project.planned_submission_on),
        "due_on": _date(project.due_on),
        "url": _absolute(project.get_absolute_url()),
    }


def research_data(research) -> dict:
    return {
        "code": research.code,
        "title_zh": research.title_zh,
        "title_en": research.title_en,
        "status": research.status,
        "leader": research.leader,
        "starts_on": _date(research.starts_on),
        "ends_on": _date(research.ends_on),
        "summary": research.summary,
        "url": _absolute(research.get_absolute_url()),
    }


def consultation_data(consultation) -> dict | None:
    if consultation.status != consultation.Status.OPEN:
        return None
    project = consultation.project
    return {
        "project": project.code,
        "title_zh": project.title_zh,
        "title_en": project.title_en,
        "opens_on": _date(consultation.opens_on),
        "closes_on": _date(consultation.closes_on),
        "url": _absolute(consultation.get_absolute_url()),
    }


def expert_data(expert) -> dict | None:
    """A listed expert: name, organisation, position and fields; the e-mail
    address only when they agreed to share it. None without consent."""
    if not expert.listed:
        return None
    return {
        "name_zh": expert.name_zh,
        "name_en": expert.name_en,
        "organisation_zh": expert.organisation.name_zh if expert.organisation else "",
        "organisation_en": expert.organisation.name_en if expert.organisation else "",
        "position": expert.position,
        "fields": expert.field_list,
        "email": expert.email if expert.contact_shared else "",
    }


def held_text_data(text) -> dict | None:
    """A held standard text: identifier, edition, language and licence scope
    (never the file). None once released."""
    if text.released_on:
        return None
    return {
        "identifier": text.identifier,
        "ident_key": text.ident_key,
        "title": text.title,
        "edition": text.edition,
        "language": text.language,
        "licence_scope": text.licence_scope,
        "licence_until": _date(text.licence_until),
        "url": _absolute(text.standard.get_absolute_url()) if text.standard else "",
    }


def records_of(kind: str) -> Iterator[tuple[str, dict | None]]:
    """Every current record of a kind, as (key, data)."""
    from qihub.catalog.models import Standard
    from qihub.lifecycle.models import Consultation, Project, ResearchProject
    from qihub.pool.models import Expert, HeldText

    if kind in (SharedKind.LOCAL_STANDARD, SharedKind.GROUP_STANDARD):
        level = "local" if kind == SharedKind.LOCAL_STANDARD else "group"
        for standard in Standard.objects.filter(level=level).iterator(2000):
            _kind, key, data = standard_data(standard)
            yield key, data
    elif kind == SharedKind.PROJECT:
        for project in Project.objects.select_related("state").iterator(2000):
            yield project.code, project_data(project)
    elif kind == SharedKind.RESEARCH:
        for research in ResearchProject.objects.iterator(2000):
            yield research.code, research_data(research)
    elif kind == SharedKind.CONSULTATION:
        for c in Consultation.objects.select_related("project").iterator(2000):
            yield str(c.pk), consultation_data(c)
    elif kind == SharedKind.EXPERT:
        for expert in Expert.objects.select_related("organisation").iterator(2000):
            yield str(expert.pk), expert_data(expert)
    elif kind == SharedKind.HELD_TEXT:
        for text in HeldText.objects.select_related("standard").iterator(2000):
            yield str(text.pk), held_text_data(text)
