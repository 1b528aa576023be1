"""The issue's main flow in a real browser: upload an XLSX list with ten
identifiers in mixed spellings, see each status with its successor chain,
download the answer as XLSX."""

import io

import pytest

from qihub.catalog.tests import validity_catalogue


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_xlsx_list_see_statuses_and_download(page, tmp_path):
    from openpyxl import Workbook, load_workbook

    validity_catalogue.build()
    wb = Workbook()
    ws = wb.active
    ws.append(["标准号及名称"])
    for line, _verdict, _chain in validity_catalogue.TEN_LINES:
        ws.append([line])
    source = tmp_path / "quality-manual-list.xlsx"
    wb.save(source)

    page.goto("/catalog/validity/")
    page.set_input_files("input[name=file]", str(source))
    page.click("#validity-form button[type=submit]")
    page.wait_for_selector("table.validity")

    rows = page.locator("table.validity tbody tr[data-line]")
    assert rows.count() == 11  # the header row reported, then the ten
    assert "No standard identifier" in rows.nth(0).inner_text()
    for n, (_line, verdict, chain) in enumerate(validity_catalogue.TEN_LINES, 1):
        row = rows.nth(n)
        assert row.get_attribute("class") == f"verdict-{verdict}"
        text = row.inner_text()
        if len(chain) > 1:
            assert " → ".join(chain) in text
    assert "Not in the catalogue" in rows.nth(4).inner_text()
    summary = page.inner_text("ul.validity-summary")
    assert "replaced: 2" in summary
    assert "withdrawn: 1" in summary
    assert "unknown: 1" in summary

    with page.expect_download() as info:
        page.click("button[value=xlsx]")
    data = tmp_path / "out.xlsx"
    info.value.save_as(data)
    sheet = load_workbook(io.BytesIO(data.read_bytes())).active
    body = list(sheet.iter_rows(values_only=True))[1:]
    identified = [r for r in body if r[2]]
    assert len(identified) == 10
    assert [r[1] for r in identified] == [
        line for line, _v, _c in validity_catalogue.TEN_LINES
    ]
