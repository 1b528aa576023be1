"""The streamed XLSX writer: a zip written without seeking that openpyxl
reads back whole, text kept as text."""

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from qihub.core.xlsx_stream import column_letters, sheet_name, xlsx_stream


def _read(blocks) -> list[tuple]:
    data = b"".join(blocks)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    return list(load_workbook(io.BytesIO(data), read_only=True).active.values)


def test_every_row_reads_back_in_order_as_text():
    rows = [["identifier", "title"], *([f"GB/T {i}", str(i)] for i in range(5000))]
    values = _read(xlsx_stream(rows))
    assert values == [tuple(r) for r in rows]


def test_the_first_block_comes_before_any_row_is_read():
    read = []

    def rows():
        read.append(1)
        yield ["a"]

    stream = xlsx_stream(rows())
    first = next(stream)
    assert first.startswith(b"PK")
    assert not read
    assert _read([first, *stream]) == [("a",)]


def test_blocks_stay_small_for_many_rows():
    rows = ([f"row {i}", "x" * 50, f"{i * 7919 % 10007}"] for i in range(30_000))
    sizes = [len(b) for b in xlsx_stream(rows, block=16 * 1024)]
    assert len(sizes) > 10
    assert max(sizes) < 200 * 1024


def test_formula_text_stays_text_and_markup_and_controls_are_safe():
    rows = [["=HYPERLINK(1)", 'a & <b> "c"', "x\x01y\x0bz", None, 7, "中文"]]
    (row,) = _read(xlsx_stream(rows, sheet="a/b:c[d]" + "x" * 40))
    assert row == ("=HYPERLINK(1)", 'a & <b> "c"', "xyz", None, "7", "中文")
    data = b"".join(xlsx_stream([["=1+1"]]))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet
    assert b't="inlineStr"' in sheet


def test_names():
    assert [column_letters(n) for n in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]
    assert sheet_name("a/b") == "a b"
    assert sheet_name("") == "Sheet1"
    assert len(sheet_name("x" * 40)) == 31


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=4), max_size=20))
def test_any_text_reads_back_without_the_characters_xml_cannot_hold(rows):
    import re

    bad = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    values = _read(xlsx_stream(rows)) if rows else []
    # openpyxl reads "\r" inside text back as "\n" (XML line-end handling)
    want = [
        tuple(bad.sub("", v).replace("\r\n", "\n").replace("\r", "\n") for v in r)
        for r in rows
    ]
    assert [tuple("" if v is None else v for v in r) for r in values] == want
