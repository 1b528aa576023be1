import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from qihub.core.errors import ApplicationError
from qihub.core.spreadsheets import check_zip, safe_cell, xlsx_rows


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "text", ["=1+2", "+cmd|' /C calc'!A0", "-2", "@SUM(1+1)", "\tx", "\rx"]
)
def test_formula_leading_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_other_values_are_unchanged():
    assert safe_cell("GB/T 19001-2016") == "GB/T 19001-2016"
    assert safe_cell(3) == 3
    assert safe_cell(None) is None


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * size)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_parsing():
    data = _bomb(20 * 1024 * 1024)
    assert len(data) < 100_000
    with pytest.raises(ApplicationError, match="zip bomb"):
        check_zip(data)


def test_not_a_zip_is_refused():
    with pytest.raises(ApplicationError, match="not a valid"):
        check_zip(b"plain text")


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_rows_are_read_with_their_numbers():
    data = _xlsx([["标准号", "名称"], ["GB/T 1-2020", "标准化工作导则"]])
    assert list(xlsx_rows(data)) == [
        (1, ["标准号", "名称"]),
        (2, ["GB/T 1-2020", "标准化工作导则"]),
    ]


def test_a_cell_too_long_is_refused_without_echoing_it():
    data = _xlsx([["a"], ["x" * 50]])
    with pytest.raises(ApplicationError) as refused:
        list(xlsx_rows(data, max_cell=10))
    assert "row 2, column A" in str(refused.value)
    assert "xxxxxxxxxx" not in str(refused.value)
