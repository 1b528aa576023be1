import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command

from qihub.programmes import demo
from qihub.programmes.models import Programme, ReportedValue, Snapshot

pytestmark = pytest.mark.usefixtures("_media")


@pytest.fixture
def plans(db):
    demo.load()
    return {
        "jilin": Programme.objects.get(name_zh=demo.JILIN),
        "shenzhen": Programme.objects.get(name_zh=demo.SHENZHEN),
        "mianyang": Programme.objects.get(name_zh=demo.MIANYANG),
    }


def test_demo_shows_met_on_track_at_risk(plans, client):
    statuses = set()
    for prog in plans.values():
        for t in client.get(f"/api/programmes/{prog.pk}").json()["targets"]:
            statuses.add(t["progress"]["status"])
    assert {"met", "on_track", "at_risk", "off_track"} <= statuses
    jilin = {
        t["indicator"]: t["progress"]
        for t in client.get(f"/api/programmes/{plans['jilin'].pk}").json()["targets"]
    }
    assert jilin["verification_coverage"]["status"] == "at_risk"
    assert jilin["certified_reference_materials"]["forecast_on"]
    assert len(jilin["verification_coverage"]["series"]) == 12


def test_dashboard_queries_bounded(plans, client, django_assert_max_num_queries):
    url = plans["jilin"].get_absolute_url()
    with django_assert_max_num_queries(12):
        r = client.get(url)
    assert r.status_code == 200
    assert r.content.count(b'class="card target-card') == 6
    assert b"svg" in r.content
    with django_assert_max_num_queries(12):
        r = client.get(url + "?scope=220100")
    from qihub.organisations.models import Region

    assert Region.objects.get(code="220100").name_en in r.content.decode()


def test_no_data_shown_as_no_data(plans, client):
    Snapshot.objects.filter(
        scope="220000", indicator="honest_measurement_units"
    ).update(value=None)
    r = client.get(plans["jilin"].get_absolute_url()).content.decode()
    assert 'data-status="no_data"' in r
    assert "no data" in r


def test_unknown_scope_is_404(plans, client):
    assert (
        client.get(plans["jilin"].get_absolute_url() + "?scope=999999").status_code
        == 404
    )


def test_list_page(plans, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        r = client.get("/programmes/")
    assert "Shenzhen standards internationalisation" in r.content.decode()


def test_api_list_and_indicator(plans, client):
    data = client.get("/api/programmes/").json()
    assert {p["name_zh"] for p in data} == {demo.JILIN, demo.SHENZHEN, demo.MIANYANG}
    r = client.get("/api/indicators/talents_trained?region=440300&on=2026-01-01")
    assert r.status_code == 200
    assert r.json()["value"] == 538
    r = client.get("/api/indicators/talents_trained?region=440300&on=2018-01-01")
    assert r.json()["value"] is None
    r = client.get("/api/indicators/verification_coverage?region=220000")
    assert r.json()["value"] is None  # no instrument in this database: no data
    r = client.get("/api/indicators/unknown_slug?region=220000")
    assert r.status_code == 400
    assert "slug: there is no indicator 'unknown_slug'" in r.json()["detail"]
    r = client.get("/api/indicators/talents_trained?region=123")
    assert r.status_code == 404
    assert len(client.get("/api/indicators/").json()) >= 20


def test_api_report_value(plans, staff_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = plans["shenzhen"].issuing_authority
    before = ReportedValue.objects.count()
    r = staff_api.post(
        "/api/programmes/reported-values",
        {
            "organisation_id": org.pk,
            "indicator": "talents_trained",
            "period_start": "2020-01-01",
            "period_end": "2020-12-31",
            "value": "12",
        },
    )
    assert r.status_code == 400
    assert "evidence" in r.json()["detail"]
    assert ReportedValue.objects.count() == before
    r = staff_api.post(
        "/api/programmes/reported-values",
        {
            "organisation_id": org.pk,
            "indicator": "talents_trained",
            "period_start": "2020-01-01",
            "period_end": "2020-12-31",
            "value": "12",
            "evidence": SimpleUploadedFile("e.txt", b"list"),
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "pending"


def test_reviewer_page_approves(
    plans, client, reviewer_user, django_assert_max_num_queries
):
    client.force_login(reviewer_user)
    pending = ReportedValue.objects.get(state="pending")
    with django_assert_max_num_queries(8):
        r = client.get("/programmes/reported/")
    assert r.status_code == 200
    assert f'data-id="{pending.pk}"' in r.content.decode()
    r = client.post(
        f"/programmes/reported/{pending.pk}/review/", {"decision": "approve"}
    )
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "approved"


def test_reviewer_page_refused_to_visitors(plans, client, plain_user):
    client.force_login(plain_user)
    assert client.get("/programmes/reported/").status_code == 403


def test_statistics_report_xlsx_opens_with_every_sheet(plans, client):
    from qihub.catalog.tests.factories import StandardFactory

    StandardFactory(identifier="GB/T 1-2026", issued_on=datetime.date(2026, 2, 1))
    StandardFactory(
        identifier="T/CAS 1-2026",
        level="group",
        issuing_body='=HYPERLINK("x")',
        issued_on=datetime.date(2026, 3, 1),
    )
    r = client.get("/programmes/statistics/?year=2026")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == [
        "standards_by_level_status",
        "standards_issued",
        "standards_by_ics",
        "international_adoption",
        "international_participation",
        "declarations",
        "group_standards",
        "committees",
        "research_projects",
    ]
    group = list(wb["group_standards"].iter_rows(values_only=True))
    assert group[2] == ('\'=HYPERLINK("x")', 1)  # escaped, not a formula
    issued = list(wb["standards_issued"].iter_rows(values_only=True))
    assert ("National", 1, 0) in issued
    participation = list(wb["international_participation"].iter_rows(values_only=True))
    assert len(participation) == 2  # the Shenzhen report ended in 2018
    r = client.get("/programmes/statistics/?year=2026&format=csv")
    assert r.status_code == 200
    assert "group_standards,2026" in r.content.decode("utf-8-sig")
    assert client.get("/programmes/statistics/?year=abc").status_code == 400


def test_statistics_report_command(plans, tmp_path):
    out = tmp_path / "stats.xlsx"
    call_command("statistics_report", year=2018, output=str(out))
    wb = openpyxl.load_workbook(out)
    rows = list(wb["international_participation"].iter_rows(values_only=True))
    assert rows[2] == ("深圳市市场和质量监督管理委员会", 626)
    csv_out = tmp_path / "stats.csv"
    call_command("statistics_report", year=2018, output=str(csv_out))
    assert csv_out.read_text(encoding="utf-8-sig").startswith("table,year")


def test_snapshot_command_recomputes_a_month(plans, capsys):
    call_command("snapshot_indicators", month="2026-01")
    snap = Snapshot.objects.get(
        scope="440300", indicator="talents_trained", month="2026-01-01"
    )
    assert snap.value == 538
    assert not snap.seeded
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--month"):
        call_command("snapshot_indicators", month="2026-13")


def test_schedule_registers_the_monthly_job():
    from qihub.core.management.commands.schedule import scheduled_tasks

    assert any(t.module_path.endswith("snapshot_indicators") for t in scheduled_tasks())


def test_dashboard_in_chinese(plans, zh_client):
    r = zh_client.get(plans["jilin"].get_absolute_url()).content.decode()
    assert "有风险" in r
    assert "强制检定覆盖率" in r
    assert "吉林省计量发展规划" in r
    assert "规划目标" in zh_client.get("/programmes/").content.decode()
