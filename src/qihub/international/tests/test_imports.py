import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from qihub.international import selectors
from qihub.international.imports import iso_projects_import, tbt_import
from qihub.international.models import InternationalProject, TbtMatch, TbtNotification
from qihub.international.tests.conftest import TBT_CSV

SAMPLES = Path(settings.SHARED_DATA_DIR) / "catalogue-samples"


@pytest.mark.django_db
def test_real_iso_open_data_file_imports():
    path = SAMPLES / "iso-open-data-sample.jsonl"
    if not path.exists():
        pytest.skip(
            "../shared/data/catalogue-samples/iso-open-data-sample.jsonl is absent"
        )
    report = iso_projects_import(file=path)
    assert report.ok, report.errors
    assert report.created == report.rows >= 1
    p = InternationalProject.objects.get(reference="ISO/TR 7035-2:2024")
    assert p.stage == "60.60"
    assert p.body.reference == "ISO/TC 5/SC 2"
    again = iso_projects_import(file=path)
    assert again.unchanged == again.rows


@pytest.mark.django_db
def test_unknown_stage_refused_naming_the_line_nothing_imported():
    data = (
        json.dumps({"reference": "ISO/NP 1", "currentStage": 1020})
        + "\n"
        + json.dumps({"reference": "ISO/NP 2", "currentStage": 4512})
        + "\n"
    ).encode()
    report = iso_projects_import(file=data)
    assert not report.ok
    assert report.errors == [
        {
            "line": 2,
            "field": "currentStage",
            "message": "line 2: unknown stage code 4512",
        }
    ]
    assert InternationalProject.objects.count() == 0


@pytest.mark.django_db
def test_iso_csv_and_command(tmp_path):
    f = tmp_path / "projects.csv"
    f.write_text(
        "reference,currentStage,ownerCommittee\nISO/CD 7220,30.20,ISO/TC 34/SC 17\n"
    )
    call_command("import_iso_projects", str(f), "--dry-run")
    assert InternationalProject.objects.count() == 0
    call_command("import_iso_projects", str(f))
    assert InternationalProject.objects.get().stage == "30.20"
    f.write_text("reference,currentStage\nISO/CD 7221,31.00\n")
    with pytest.raises(
        CommandError, match=r"nothing imported.*unknown stage code 31\.00"
    ):
        call_command("import_iso_projects", str(f))


@pytest.mark.django_db
def test_tbt_import_and_match(food_enterprise, food):
    report = tbt_import(file=TBT_CSV.encode())
    assert report.ok, report.errors
    assert report.created == 2
    kor = TbtNotification.objects.get(symbol="G/TBT/N/KOR/1201")
    assert kor.kind == "TBT"
    assert kor.hs_codes == ["2106", "3302"]
    kinds = {
        (m.kind, m.ics_code, m.standard_id, m.organisation_id)
        for m in kor.matches.all()
    }
    assert ("ics", "67.220", None, None) in kinds
    assert ("standard", "", food["gb2760"].pk, None) in kinds
    assert ("standard", "", food["iso22000"].pk, None) in kinds
    # the enterprise is read from its declaration in ICS 67.220.20
    found = selectors.tbt_enterprises(kor)
    (org,) = found.organisations()
    assert org.pk == food_enterprise.organisation_id
    assert found.reasons([org]) == {org.pk: "67.220.20"}
    # re-importing the same file changes nothing
    assert tbt_import(file=TBT_CSV.encode()).unchanged == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",China,2026-01-01,x,,67,,", "line 3 has no symbol"),
        ("G/TBT/N/CHN/2,China,,x,,67,,", "line 3 (G/TBT/N/CHN/2) has no date"),
        ("G/TBT/N/CHN/2,China,yesterday,x,,67,,", "line 3: yesterday is not a date"),
        ("TBT-2,China,2026-01-01,x,,67,,", "not a WTO notification symbol"),
    ],
)
def test_tbt_rows_without_symbol_or_date_refused(row, message, ics_codes):
    header, good = TBT_CSV.splitlines()[:2]
    report = tbt_import(file=f"{header}\n{good}\n{row}\n".encode())
    assert not report.ok
    assert message in report.errors[0]["message"]
    assert TbtNotification.objects.count() == 0
    assert TbtMatch.objects.count() == 0


@pytest.mark.django_db
def test_tbt_command_json_and_failure(tmp_path, ics_codes):
    f = tmp_path / "tbt.csv"
    f.write_text(TBT_CSV)
    call_command("import_tbt", str(f), "--json")
    assert TbtNotification.objects.count() == 2
    f.write_text("Member,Products\nChina,x\n")
    with pytest.raises(CommandError, match="no symbol / date column"):
        call_command("import_tbt", str(f))


@pytest.mark.django_db
def test_tbt_import_alerts_followers_of_the_field_and_the_enterprise(
    food_enterprise, food, plain_user, staff_user
):
    from qihub.alerts.models import InboxItem
    from qihub.alerts.services import watch_create

    watch_create(actor=plain_user, kind="ics", value="67")
    follows_other = staff_user
    watch_create(actor=follows_other, kind="ics", value="61")
    assert tbt_import(file=TBT_CSV.encode()).ok
    kor = TbtNotification.objects.get(symbol="G/TBT/N/KOR/1201")
    usa = TbtNotification.objects.get(symbol="G/TBT/N/USA/2210")
    (item,) = InboxItem.objects.filter(user=plain_user)
    assert item.kind == "notice"
    assert item.subject == (
        "TBT/SPS notification G/TBT/N/KOR/1201 from Korea, Republic of"
        " (comments until 2099-12-19)"
    )
    assert item.url == kor.get_absolute_url()
    assert item.body == "Food additives"
    # the enterprise declaring a standard in ICS 67.220.20 hears of it
    ent_user = food_enterprise.organisation.memberships.get().user
    assert [i.url for i in InboxItem.objects.filter(user=ent_user)] == [
        kor.get_absolute_url()
    ]
    assert [i.url for i in InboxItem.objects.filter(user=follows_other)] == [
        usa.get_absolute_url()
    ]
    # matching again alerts nobody twice
    from qihub.international.tbt import tbt_match

    tbt_match()
    assert InboxItem.objects.count() == 3
