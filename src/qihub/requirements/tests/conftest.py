"""Fixtures for the machine-readable standards tests."""

from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "samples"


@pytest.fixture
def sts_data():
    """Read a sample document from tests/data by file name."""

    def _read(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return _read


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages in English (pages pick their language per request)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def standard_for(identifier: str, **kwargs):
    """A catalogue record for any identifier (the factory's defaults only
    understand Chinese ones), with key fields from the catalogue's parser."""
    from qihub.catalog.identifiers import parse
    from qihub.catalog.tests.factories import StandardFactory

    ident = parse(identifier)
    fields = {
        "ident_key": ident.key,
        "base_key": ident.base_key,
        "prefix": ident.prefix,
        "number": ident.number,
        "year": ident.year,
        "level": ident.level,
        "nature": ident.nature,
    }
    fields.update(kwargs)
    return StandardFactory(identifier=ident.canonical, **fields)
