import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from qihub.metrology import selectors, services
from qihub.metrology.models import CalibrationEvent, CompulsoryItem, Instrument

from .conftest import DAY

DCC_DIR = Path(settings.SHARED_DATA_DIR) / "dcc"


def test_overview_and_registry_pages(client, registry, django_assert_max_num_queries):
    for name in [
        "index",
        "standard_list",
        "instrument_list",
        "certificate_list",
        "registries",
    ]:
        with django_assert_max_num_queries(15):
            response = client.get(reverse(f"metrology:{name}"))
        assert response.status_code == 200, name
    assert (
        "INS-0001" in client.get(reverse("metrology:instrument_list")).content.decode()
    )


def test_instrument_page_draws_the_chain(
    client, registry, django_assert_max_num_queries
):
    url = registry.instrument.get_absolute_url()
    with django_assert_max_num_queries(30):
        html = client.get(url, {"on": DAY.isoformat()}).content.decode()
    assert 'class="chain-graph"' in html
    assert 'data-code="NIM-P-01"' in html
    assert "Chain valid" in html
    assert "NIM-P-01" in html
    assert "JL-2026-010" in html


def test_chinese_page(zh_client, registry):
    html = zh_client.get(registry.instrument.get_absolute_url()).content.decode()
    assert "溯源链" in html


def test_staff_revokes_through_the_page(client, registry, staff_user):
    top = registry.certs["top"]
    url = reverse("metrology:certificate_revoke", args=[top.pk])
    assert client.get(url).status_code == 302  # login first
    client.force_login(staff_user)
    response = client.post(url, {"reason": "Reference piston worn"}, follow=True)
    html = response.content.decode()
    assert "Suspect instruments downstream" in html
    assert "INS-0001" in html


def test_public_verification_page(client, registry):
    leaf = registry.certs["leaf"]
    url = reverse("metrology:certificate_verify", args=[leaf.certificate_number])
    assert "Not confirmed" in client.get(url, {"h": "nope"}).content.decode()
    html = client.get(url, {"h": leaf.verify_hash}).content.decode()
    assert "Genuine and valid" in html or "Expired" in html


def test_certificate_pdf_and_dcc_download(client, registry):
    leaf = registry.certs["leaf"]
    response = client.get(reverse("metrology:certificate_pdf", args=[leaf.pk]))
    assert response["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    response = client.get(reverse("metrology:certificate_dcc", args=[leaf.pk]))
    assert b'schemaVersion="3.2.0"' in response.content


def test_coverage_rates_and_chart(client, registry):
    services.instrument_register(
        actor=None,
        code="INS-0002",
        name="电子计价秤",
        item_type=CompulsoryItem.objects.get(code="CV-02"),
        use="trade",
        quantity="mass",
        unit="kg",
        region="吉林市",
        registered_on=datetime.date(2025, 1, 1),
    )
    services.instrument_register(
        actor=None,
        code="INS-0003",
        name="实验天平",
        use="other",
        quantity="mass",
        unit="kg",
        region="吉林市",
        registered_on=datetime.date(2025, 1, 1),
    )
    total = selectors.coverage_total(on=DAY)
    assert (total.covered, total.required) == (1, 2)
    rows = {
        (r.region, r.item_type): (r.covered, r.required)
        for r in selectors.coverage_rows(on=DAY)
    }
    assert rows == {("长春市", "CV-04"): (1, 1), ("吉林市", "CV-02"): (0, 1)}
    series = selectors.coverage_series(until=DAY, months=12)
    assert len(series) == 12
    assert series[0][1].covered == 0
    html = client.get(
        reverse("metrology:coverage"), {"on": DAY.isoformat()}
    ).content.decode()
    assert 'class="target" data-target="0.9"' in html
    assert "Target 90%" in html
    csv = client.get(
        reverse("metrology:coverage_csv"), {"on": DAY.isoformat()}
    ).content.decode()
    assert "2026-06-01,长春市,CV-04,1,1,1.0000" in csv


def test_reminders_mail_owners(registry):
    n = services.reminders_send(
        today=DAY + datetime.timedelta(days=350), within_days=30
    )
    assert n == 1
    assert mail.outbox[0].to == ["equipment@hospital.example"]
    assert "INS-0001" in mail.outbox[0].body
    mail.outbox.clear()
    services.reminders_send(today=DAY + datetime.timedelta(days=400))
    assert "overdue" in mail.outbox[0].body


def test_reminder_task_runs(registry):
    from qihub.metrology.tasks import SCHEDULED, verification_reminders

    assert verification_reminders in SCHEDULED
    verification_reminders.enqueue()


def test_api_chain_and_registries(client, registry):
    body = client.get(
        f"/api/metrology/instruments/{registry.instrument.pk}/chain",
        {"on": DAY.isoformat()},
    ).json()
    assert body["ok"] is True
    assert body["top"] == "NIM-P-01"
    assert [link["certificate"] for link in body["links"]] == [
        "JL-2026-500",
        "JL-2026-010",
        "NIM-2026-001",
    ]
    body = client.get(
        f"/api/metrology/instruments/{registry.instrument.pk}/chain",
        {"on": "2027-12-31"},
    ).json()
    assert {i["code"] for i in body["issues"]} == {"expired"}
    assert client.get("/api/metrology/standards").json()["count"] == 3
    assert (
        client.get("/api/metrology/instruments").json()["items"][0]["code"]
        == "INS-0001"
    )
    cov = client.get(
        "/api/metrology/coverage", {"on": DAY.isoformat(), "months": 3}
    ).json()
    assert cov[-1]["rate"] == 1.0
    assert cov[-1]["target"] == 0.9


def test_api_revoke_and_impact(client, staff_api, user_api, registry):
    top = registry.certs["top"]
    url = f"/api/metrology/certificates/{top.pk}/revoke"
    assert (
        client.post(url, {"reason": "x"}, content_type="application/json").status_code
        == 401
    )
    assert (
        user_api.post(url, {"reason": "x"}, content_type="application/json").status_code
        == 403
    )
    response = staff_api.post(url, {"reason": "worn"}, content_type="application/json")
    assert response.json() == {"standards": 2, "instruments": 1}
    suspects = client.get(f"/api/metrology/certificates/{top.pk}/suspects").json()
    assert [s["code"] for s in suspects["items"]] == ["INS-0001"]


@pytest.mark.skipif(not DCC_DIR.is_dir(), reason=f"DCC samples not found in {DCC_DIR}")
def test_api_dcc_import(staff_api, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = (DCC_DIR / "sample-humidity.xml").read_bytes()
    response = staff_api.post(
        "/api/metrology/dcc", {"file": SimpleUploadedFile("h.xml", data)}
    )
    assert response.status_code == 201, response.content
    assert response.json()["schema_version"] == "3.1.2"
    response = staff_api.post(
        "/api/metrology/dcc", {"file": SimpleUploadedFile("h.xml", b"<x")}
    )
    assert response.status_code == 400
    assert "well-formed" in response.json()["detail"]


@pytest.mark.skipif(not DCC_DIR.is_dir(), reason=f"DCC samples not found in {DCC_DIR}")
def test_import_dcc_command(db, capsys):
    call_command(
        "import_dcc", str(DCC_DIR / "sample-temperature-simplified.xml"), "--dry-run"
    )
    assert "1 certificate(s) checked" in capsys.readouterr().out
    assert not CalibrationEvent.objects.exists()
    call_command(
        "import_dcc", str(DCC_DIR / "sample-temperature-simplified.xml"), "--json"
    )
    assert '"schema_version": "3.1.1"' in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already recorded"):
        call_command("import_dcc", str(DCC_DIR / "sample-temperature-simplified.xml"))


def test_validate_chains_command(registry, capsys):
    call_command("validate_chains", "--on", DAY.isoformat())
    assert "1/1 instrument chains valid" in capsys.readouterr().out


def test_out_of_tolerance_marks_downstream(registry, staff_user):
    impact = services.standard_mark_out_of_tolerance(
        standard=registry.working,
        actor=staff_user,
        reason="drift",
        since=DAY - datetime.timedelta(days=100),
    )
    assert impact.instruments == 1
    assert Instrument.objects.get(pk=registry.instrument.pk).suspect


def test_demo_loads(db):
    from qihub.metrology import demo
    from qihub.metrology.traceability import chains_validate_all

    demo.load()
    demo.load()  # idempotent
    report = chains_validate_all()
    assert report.instruments >= 60
    assert report.by_code.get("suspect", 0) == 3  # the revoked city standard's users
    assert report.by_code.get("expired", 0) >= 2
    assert Instrument.objects.filter(suspect=True).count() == 3


def test_the_demos_parties_are_organisations(db):
    from qihub.metrology import demo, selectors
    from qihub.metrology.models import Laboratory

    demo.load()
    jlim = Laboratory.objects.select_related("organisation").get(code="JLIM")
    assert (jlim.organisation.name_zh, jlim.organisation.region_id) == (
        "吉林省计量科学研究院",
        "220100",
    )
    assert jlim.organisation.designations.get().number == "CNAS L0262"
    city = Laboratory.objects.select_related("organisation").get(code="JL-C04")
    assert city.organisation.region_id == "222400"  # 延边州
    assert not Instrument.objects.filter(owner__isnull=True).exists()
    # the demo's own instruments are owned in the region they are used in
    for instrument in Instrument.objects.filter(region__in=demo.REGIONS).select_related(
        "owner"
    ):
        assert instrument.owner.region_id == demo.REGION_CODES[instrument.region]
    counts = {
        m.key: m.value for m in selectors.organisation_metrics([jlim.organisation_id])
    }
    assert counts["laboratories"] == 1
    assert counts["measurement_standards"] > 0


def test_dcc_import_page(client, staff_user, plain_user, registry):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qihub.metrology import dcc

    url = reverse("metrology:dcc_import")
    client.force_login(plain_user)
    assert client.get(url).status_code == 403
    client.force_login(staff_user)
    xml = dcc.export(registry.certs["leaf"])
    response = client.post(url, {"file": SimpleUploadedFile("leaf.xml", xml)})
    assert "already recorded" in response.content.decode()
    bad = SimpleUploadedFile("bad.xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    response = client.post(url, {"file": bad})
    assert "DOCTYPE" in response.content.decode()


def test_chain_partial_for_htmx(client, registry):
    response = client.get(
        registry.instrument.get_absolute_url(),
        {"on": "2030-01-01"},
        headers={"hx-request": "true"},
    )
    html = response.content.decode()
    assert html.startswith('<section id="chain"')
    assert "Chain broken" in html
    assert 'data-code="expired"' in html


def test_api_registries(client, db):
    from qihub.metrology import demo

    demo.load()
    specs = client.get("/api/metrology/specifications").json()["items"]
    assert {"JJG 270-2008", "JJF(吉) 101-2022"} <= {s["identifier"] for s in specs}
    local = next(s for s in specs if s["identifier"] == "JJF(吉) 101-2022")
    assert local["is_local"] is True
    assert local["kind"] == "calibration"
    rms = client.get("/api/metrology/reference-materials").json()["items"]
    assert {r["number"]: r["grade"] for r in rms} == {
        "GBW 08615": "first",
        "GBW(E) 081234": "second",
    }
    labs = client.get("/api/metrology/laboratories").json()
    assert labs["count"] >= 7
    assert any(lab["scopes"] for lab in labs["items"])
