"""Hostile files against every zip-based reader (issue 23): a 2 GiB sheet in
a few MB of XLSX, one 512 MiB cell, a DOCX bomb. Each is refused with a
message, in under 2 s and under 200 MB of memory, without echoing the cell."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from qihub.core.errors import ApplicationError

GIB = 1024**3
MIB = 1024**2


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _template() -> dict[str, bytes]:
    workbook = Workbook()
    workbook.active.append(["identifier", "title_zh"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _stream_member(
    archive: zipfile.ZipFile,
    name: str,
    head: bytes,
    fill: bytes,
    size: int,
    tail: bytes,
) -> None:
    """A member of ``size`` bytes written in 8 MiB pieces (zlib level 1:
    the repetition compresses about a thousand times)."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # the attribute's name in Python 3.12
    piece = fill * (8 * MIB // len(fill))
    with archive.open(info, "w", force_zip64=True) as out:
        out.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            chunk = piece[: min(left, len(piece))]
            out.write(chunk)
            left -= len(chunk)
        out.write(tail)


def _xlsx_with(member: str, head: bytes, fill: bytes, size: int, tail: bytes) -> bytes:
    parts = _template()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != member:
                archive.writestr(name, data)
        _stream_member(archive, member, head, fill, size, tail)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def sheet_bomb() -> bytes:
    """An XLSX whose sheet unpacks to 2 GiB of rows."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    row = b'<row><c t="inlineStr"><is><t>GB 1-2000</t></is></c></row>'
    return _xlsx_with(
        "xl/worksheets/sheet1.xml", head, row, 2 * GIB, b"</sheetData></worksheet>"
    )


@pytest.fixture(scope="module")
def cell_bomb() -> bytes:
    """An XLSX with one inline cell of 512 MiB."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
        b'<c t="inlineStr"><is><t>identifier</t></is></c></row><row>'
        b'<c t="inlineStr"><is><t>'
    )
    return _xlsx_with(
        "xl/worksheets/sheet1.xml",
        head,
        b"A",
        512 * MIB,
        b"</t></is></c></row></sheetData></worksheet>",
    )


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        _stream_member(archive, "word/media/huge.xml", b"<x>", b"A", 1 * GIB, b"</x>")
    return buffer.getvalue()


def _refused(call, capfd) -> ApplicationError | Exception:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        call()
    except Exception as exc:
        error = exc
    else:
        pytest.fail("the hostile file was accepted")
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 2, f"refused after {seconds:.1f} s"
    assert peak < 200 * MIB, f"peak {peak / MIB:.0f} MB"
    out, err = capfd.readouterr()
    assert "AAAAAAAAAA" not in out + err + str(error)
    return error


def _readers(tmp_path, data: bytes):
    from qihub.catalog.importing import standards_import
    from qihub.declarations import importing as declarations_importing
    from qihub.lifecycle import plans
    from qihub.organisations import importing as organisations_importing

    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    return {
        "catalogue": lambda: standards_import(file=path, dry_run=True),
        "declarations": lambda: declarations_importing.read_rows(path),
        "organisations": lambda: organisations_importing.read_rows(path),
        "plans": lambda: plans.read_rows(path),
    }


READERS = ["catalogue", "declarations", "organisations", "plans"]


def test_the_bombs_are_small_files(sheet_bomb, cell_bomb):
    assert len(sheet_bomb) < 20 * MIB  # zlib level 1; 2 GiB unpacked
    assert len(cell_bomb) < 3 * MIB


@pytest.mark.django_db
@pytest.mark.parametrize("reader", READERS)
def test_a_2_gib_sheet_is_refused(reader, sheet_bomb, tmp_path, capfd):
    error = _refused(_readers(tmp_path, sheet_bomb)[reader], capfd)
    assert "expand" in str(error) or "zip bomb" in str(error)


@pytest.mark.django_db
@pytest.mark.parametrize("reader", READERS)
def test_a_512_mib_cell_is_refused(reader, cell_bomb, tmp_path, capfd):
    error = _refused(_readers(tmp_path, cell_bomb)[reader], capfd)
    assert "expand" in str(error) or "zip bomb" in str(error)


def test_a_docx_bomb_is_refused(docx_bomb, capfd):
    from qihub.declarations.proposing import read_sections

    error = _refused(lambda: read_sections("bomb.docx", docx_bomb), capfd)
    assert isinstance(error, ApplicationError)


def test_a_long_cell_under_the_zip_limits_is_refused_naming_its_place(tmp_path):
    """A 40,000-character cell passes the zip limits; the cell limit refuses
    it (openpyxl cuts such a cell to 32,767 characters when reading)."""
    from qihub.declarations.importing import read_rows

    workbook = Workbook()
    workbook.active.append(["产品名称"])
    workbook.active.append(["B" * 40_000])
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    with pytest.raises(ApplicationError) as info:
        read_rows(path)
    assert "row 2, column A" in str(info.value)
    assert "BBBB" not in str(info.value)
