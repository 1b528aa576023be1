import pytest

from qihub.conformity.models import ScopeLine
from qihub.conformity.services import scope_import, split_standard_cell
from qihub.core.errors import ApplicationError

from .conftest import SCOPE_CSV


def test_split_standard_cell():
    assert split_standard_cell("纺织品 GB/T 2912.1-2009 第5.2条") == (
        "GB/T 2912.1-2009",
        "5.2",
    )
    assert split_standard_cell("GB 31701-2015") == ("GB 31701-2015", "")


def test_import_cnas_headers(lab, gb31701):
    report = scope_import(
        actor=None, body=lab, data=SCOPE_CSV.encode(), filename="s.csv"
    )
    assert report.created == 2
    line = ScopeLine.objects.get(parameter_number="1")
    assert line.parameter_key == "formaldehyde"
    assert line.standard == gb31701
    assert line.clause == "4.1"
    assert line.unit
    again = scope_import(
        actor=None, body=lab, data=SCOPE_CSV.encode(), filename="s.csv"
    )
    assert again.created == 0
    assert again.duplicates == 2


def test_import_english_headers_dry_run(lab, gb31701):
    data = "object,parameter,unit,standard,clause\ninfant garments,formaldehyde,mg/kg,GB 31701,4.1\n"
    report = scope_import(actor=None, body=lab, data=data.encode(), dry_run=True)
    assert report.created == 1
    assert not ScopeLine.objects.exists()


def test_unknown_standard_refuses_all(lab, gb31701):
    data = SCOPE_CSV + "3,婴幼儿纺织产品,甲醛含量,GB 99999-2020,,\n"
    with pytest.raises(ApplicationError) as exc:
        scope_import(actor=None, body=lab, data=data.encode(), filename="s.csv")
    assert "GB 99999-2020 is not in the standards catalogue" in str(exc.value)
    assert exc.value.details["rows"][0]["line"] == 4
    assert not ScopeLine.objects.exists()


def test_parameter_without_unit_refused(lab, gb31701):
    data = "object,parameter,standard\ngarments,colour smell index,GB 31701-2015\n"
    with pytest.raises(ApplicationError) as exc:
        scope_import(actor=None, body=lab, data=data.encode())
    assert "has no unit" in str(exc.value)
    assert not ScopeLine.objects.exists()


def test_missing_columns(lab, gb31701):
    with pytest.raises(ApplicationError, match="Missing columns"):
        scope_import(actor=None, body=lab, data=b"a,b\n1,2\n")


def test_withdrawn_standard_flags_lines(
    scope_lines, gb31701, django_capture_on_commit_callbacks
):
    from qihub.catalog.services import standard_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        standard_withdraw(standard=gb31701, actor=None, reason="test")
    flagged = ScopeLine.objects.filter(flagged_at__isnull=False)
    assert flagged.count() == 2
    assert "GB 31701-2015" in flagged.first().flag_reason


def test_import_command(lab, gb31701, tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "scope.csv"
    path.write_text(SCOPE_CSV, encoding="utf-8")
    call_command("import_scope", str(path), "--body", "CNAS L0001", "--json")
    assert '"created": 2' in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Missing columns"):
        call_command("import_scope", str(bad), "--body", "CNAS L0001")
