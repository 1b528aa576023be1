import json

import pytest
from django.core.management import CommandError, call_command

from qihub.lifecycle.models import Project

pytestmark = pytest.mark.django_db

GOOD = (
    "计划号,项目名称,制修订,代替标准,归口单位,计划完成时间\n"
    "20261001-Q-219,婴幼儿纺织产品安全技术规范,修订,GB 31701-2015,SAC/TC 999,2027-06-30\n"
    "20261002-T-219,纺织品 色牢度试验,制定,,SAC/TC 999,2027-12-31\n"
)


def test_plan_import_creates_approved_projects(
    tmp_path, committee, old_standard, capsys
):
    path = tmp_path / "plan.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_project_plan", str(path), "--dry-run")
    assert Project.objects.count() == 0
    call_command("import_project_plan", str(path), "--json")
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["created"] == 2
    revision = Project.objects.get(code="20261001-Q-219")
    assert revision.state.slug == "approved"
    assert revision.replaces == old_standard
    assert revision.kind == "revision"
    assert str(revision.due_on) == "2027-06-30"


def test_bad_row_refuses_whole_file(tmp_path, committee):
    path = tmp_path / "plan.csv"
    path.write_text(
        GOOD.replace("GB 31701-2015", "GB 1-1900").replace("2027-12-31", "next year"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_project_plan", str(path))
    assert "2 bad row(s)" in str(exc.value)
    assert "Line 2: GB 1-1900 is not in the catalogue." in str(exc.value)
    assert Project.objects.count() == 0


def test_plan_import_xlsx(tmp_path, committee):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["plan number", "title", "kind", "committee"])
    wb.active.append(["X-1", "Textiles — test", "new", "SAC/TC 999"])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    call_command("import_project_plan", str(path))
    assert Project.objects.get().code == "X-1"


def test_file_without_title_column_is_refused(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No title column"):
        call_command("import_project_plan", str(path))
