"""Reads for the classification vocabularies."""

from django.db.models import QuerySet

from qihub.vocab.models import CcsCode, IcsCode


def ics_children(*, parent: str | None) -> QuerySet[IcsCode]:
    """ICS codes directly below ``parent`` (the fields when ``parent`` is None)."""
    if parent:
        return IcsCode.objects.filter(parent_id=parent).order_by("code")
    return IcsCode.objects.filter(level=1).order_by("code")


def ics_ancestors(code: str) -> list[IcsCode]:
    """The path from the field down to ``code`` (inclusive)."""
    parts = code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    found = {c.code: c for c in IcsCode.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def ics_paths(codes: list[str]) -> list[list[IcsCode]]:
    """``ics_ancestors`` of each code, in one query for all of them."""
    wanted = {
        ".".join(parts[: i + 1])
        for parts in (code.split(".") for code in codes)
        for i in range(len(parts))
    }
    found = {c.code: c for c in IcsCode.objects.filter(code__in=wanted)}
    paths = []
    for code in codes:
        parts = code.split(".")
        prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
        paths.append([found[c] for c in prefixes if c in found])
    return paths


def ccs_children(*, parent: str | None) -> QuerySet[CcsCode]:
    if parent:
        return CcsCode.objects.filter(parent_id=parent).order_by("code")
    return CcsCode.objects.filter(level=1).order_by("code")
