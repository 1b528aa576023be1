"""Staff upload a catalogue CSV and watch the import job finish."""

import pytest

CSV = (
    "identifier,title_zh,status\n"
    "GB/T 3100-1993,国际单位制及其应用,in_force\n"
    "GB/T 3101-1993,有关量、单位和符号的一般原则,in_force\n"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_uploads_a_csv_and_sees_the_job_finish(
    page, login, staff_user, classifications, tmp_path
):
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    login(staff_user)
    page.goto("/catalog/imports/")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-job[data-state=done]")
    assert "imported 2 standards (2 new, 0 updated)" in page.inner_text(".job-summary")
    assert "2 of 2 rows" in page.inner_text(".job-rows")
    page.goto("/catalog/imports/")
    assert "catalogue.csv" in page.inner_text("table.import-jobs")
