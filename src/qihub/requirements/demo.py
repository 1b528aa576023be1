"""Demo data: the sample full texts imported, their requirements confirmed, so
the reader, check and comparison pages have content."""

from __future__ import annotations

from pathlib import Path

from qihub.catalog.models import Standard
from qihub.catalog.services import standard_create
from qihub.requirements import fulltext, services
from qihub.requirements.models import Document, Requirement

SAMPLES = Path(__file__).parent / "samples"
#: Imported in this order; the ISO record first so the adoption is linked.
FILES = [
    "gb31701-2015.sts.xml",
    "gb2762-2022.sts.xml",
    "iso8124-adoption.sts.xml",
    "q-qhb-001-2024.yaml",
]
#: Proposed requirements left for the review page to show.
LEAVE_PROPOSED = {"GB 2762-2022"}


def _ensure_iso() -> None:
    from qihub.catalog.identifiers import parse

    ident = parse("ISO 8124-1:2012")
    if Standard.objects.filter(ident_key=ident.key).exists():
        return
    standard_create(
        actor=None,
        identifier=ident.canonical,
        title_en="Safety of toys — Part 1: Safety aspects related to mechanical "
        "and physical properties",
        source="demo",
    )


def load(stdout=None) -> None:
    """Import the sample documents and confirm most extracted requirements."""
    services.parameters_load()
    _ensure_iso()
    for name in FILES:
        data = (SAMPLES / name).read_bytes()
        parsed = fulltext.parse_source(data, fulltext.detect_format(name, data))
        if Document.objects.filter(standard__identifier=parsed.identifier).exists():
            continue
        result = fulltext.document_import(data=data, filename=name)
        if stdout is not None:
            stdout.write(f"requirements: {result.summary()}")
        if result.identifier in LEAVE_PROPOSED:
            continue
        for requirement in Requirement.objects.filter(
            standard=result.document.standard, status=Requirement.Status.PROPOSED
        ):
            services.requirement_confirm(
                requirement=requirement, actor=None, reason="demo data"
            )
