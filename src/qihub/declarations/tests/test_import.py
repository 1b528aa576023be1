import json

import pytest
from django.core.management import CommandError, call_command

from qihub.declarations.models import Declaration, Enterprise
from qihub.declarations.tests.conftest import make_code

pytestmark = pytest.mark.django_db

HEADER = "credit_code,enterprise,region,industry,product,category,standards,indicators,effective_on\n"


def _row(code, product, hcho="15"):
    return (
        f"{code},甲公司,深圳,纺织,{product},children's textiles,GB 31701-2015,"
        f'"formaldehyde <= {hcho} mg/kg [GB/T 2912.1]; pH 4.5~7",2026-01-01\n'
    )


def test_import_csv_all_or_nothing(tmp_path, admin_user, gb_toy, capsys):
    good = make_code("91440300MA5FAAAA1")
    path = tmp_path / "d.csv"
    path.write_text(
        HEADER
        + _row(good, "童装1")
        + _row(good[:-1] + "X", "童装2")
        + _row(good, "童装3", "x")
    )
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_declarations", str(path))
    err = capsys.readouterr().err
    assert "line 3, credit_code" in err
    assert "line 4, indicators" in err
    assert Declaration.objects.count() == 0
    assert Enterprise.objects.count() == 0


def test_import_csv_dry_run_then_real(tmp_path, admin_user, gb_toy, capsys):
    good = make_code("91440300MA5FAAAA1")
    path = tmp_path / "d.csv"
    path.write_text(
        HEADER
        + _row(good, "童装1").replace("; pH 4.5~7", "")
        + _row(good, "童装2", "30")
    )
    call_command("import_declarations", str(path), "--dry-run", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"]
    assert report["declarations"] == 2
    assert report["dry_run"]
    assert Declaration.objects.count() == 0
    call_command("import_declarations", str(path))
    assert (
        "imported 2 declarations (1 new enterprises, 2 flagged)"
        in capsys.readouterr().out
    )
    assert Declaration.objects.filter(status="published").count() == 2


def test_import_xlsx(tmp_path, admin_user, gb_toy, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "统一社会信用代码",
            "企业名称",
            "地区",
            "行业",
            "产品名称",
            "产品类别",
            "执行标准",
            "核心指标",
        ]
    )
    ws.append(
        [
            make_code("91440300MA5FAAAA1"),
            "乙公司",
            "广州",
            "纺织",
            "童装",
            "children's textiles",
            "GB 31701-2015",
            "甲醛 <= 10 mg/kg",
        ]
    )
    path = tmp_path / "d.xlsx"
    wb.save(path)
    call_command("import_declarations", str(path))
    decl = Declaration.objects.get()
    assert decl.current_version.indicators.get().parameter == "formaldehyde"


def test_import_goes_through_the_registry(tmp_path, admin_user, gb_toy, capsys):
    """An imported enterprise is the registry's organisation of its credit code
    (registered once, its region read from the text); an unknown region is
    refused naming the line and the column, nothing written."""
    from qihub.organisations.models import Organisation, OrganisationEvent
    from qihub.organisations.services import organisation_create

    good = make_code("91440300MA5FAAAA1")
    known = organisation_create(actor=None, kind="enterprise", name_zh="甲公司旧名")
    path = tmp_path / "d.csv"
    path.write_text(
        HEADER + _row(good, "童装1") + _row(good, "童装2").replace("深圳", "火星")
    )
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_declarations", str(path))
    assert "line 3, region: 火星 names no single" in capsys.readouterr().err
    assert Organisation.objects.count() == 1
    path.write_text(HEADER + _row(good, "童装1") + _row(good, "童装2"))
    call_command("import_declarations", str(path))
    ent = Enterprise.objects.select_related("organisation").get()
    assert ent.organisation.credit_code == good
    assert ent.organisation.region_id == "440300"
    assert ent.organisation.name_zh == "甲公司"
    assert ent.organisation_id != known.pk
    assert OrganisationEvent.objects.filter(
        organisation=ent.organisation, type="created"
    ).exists()
    assert set(Declaration.objects.values_list("region", flat=True)) == {"440300"}


def test_import_without_user_is_the_systems(tmp_path, gb_toy, capsys):
    """No --user and no superuser: the system imports, recorded as no user."""
    good = make_code("91440300MA5FAAAA1")
    path = tmp_path / "d.csv"
    path.write_text(HEADER + _row(good, "童装1"))
    call_command("import_declarations", str(path))
    assert "imported 1 declarations" in capsys.readouterr().out
    assert Declaration.objects.filter(status="published").count() == 1


def test_import_user_must_exist_and_be_staff(tmp_path, gb_toy, django_user_model):
    good = make_code("91440300MA5FAAAA1")
    path = tmp_path / "d.csv"
    path.write_text(HEADER + _row(good, "童装1"))
    with pytest.raises(CommandError, match="nobody: no such user"):
        call_command("import_declarations", str(path), "--user", "nobody")
    django_user_model.objects.create_user("plain", password="x")
    with pytest.raises(CommandError, match="staff"):
        call_command("import_declarations", str(path), "--user", "plain")
    assert Declaration.objects.count() == 0
