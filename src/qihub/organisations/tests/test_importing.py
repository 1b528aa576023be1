"""Importing organisations: Chinese and English headers, CSV and XLSX, all
or nothing, upsert, duplicates within the file, dry run, the command."""

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qihub.core.errors import ApplicationError
from qihub.organisations import importing, services
from qihub.organisations.models import Organisation, OrganisationEvent
from qihub.organisations.tests.conftest import CHENGDU, JILIN, MIANYANG, MIANYANG_2

ZH_HEADER = [
    "名称",
    "英文名称",
    "统一社会信用代码",
    "类型",
    "行政区划代码",
    "地址",
    "网站",
    "联系人",
    "电子邮箱",
    "电话",
    "曾用名",
]
ZH_ROWS = [
    [
        "四川九洲电器集团有限责任公司",
        "Sichuan Jiuzhou Electric Group Co., Ltd.",
        MIANYANG,
        "企业",
        "510700",
        "四川省绵阳市九华路6号",
        "https://www.jiuzhoutech.com",
        "王明",
        "std@jiuzhou.example",
        "0816-2468000",
        "国营九洲电器厂；四川九洲电器厂",
    ],
    [
        "绵阳市产品质量监督检验所",
        "",
        MIANYANG_2,
        "检验检测机构",
        "",
        "绵阳市涪城区",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "吉林省计量科学研究院",
        "Jilin Institute of Metrology",
        JILIN,
        "Research institute",
        "220100",
        "长春市",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "国际标准化组织",
        "International Organization for Standardization",
        "",
        "international",
        "",
        "Geneva",
        "https://www.iso.org",
        "",
        "",
        "",
        "",
    ],
]


def _csv(path, header, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _xlsx(path, header, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _errors(exc_info) -> list[str]:
    return [
        f"line {e['line']}, field {e['field']}: {e['reason']}"
        for e in exc_info.value.details["errors"]
    ]


def test_chinese_headers_csv(tmp_path, db):
    path = _csv(tmp_path / "orgs.csv", ZH_HEADER, ZH_ROWS)
    report = importing.organisations_import(actor=None, path=path)
    assert (report.rows, report.created, report.updated) == (4, 4, 0)
    jiuzhou = Organisation.objects.get(credit_code=MIANYANG)
    assert jiuzhou.name_en == "Sichuan Jiuzhou Electric Group Co., Ltd."
    assert jiuzhou.kind == "enterprise"
    assert jiuzhou.region.name_zh == "绵阳市"
    assert jiuzhou.former_names == ["国营九洲电器厂", "四川九洲电器厂"]
    assert jiuzhou.contact_email == "std@jiuzhou.example"
    assert services.organisation_match(name="国营九洲电器厂") == jiuzhou
    # The region comes from the credit code where the column is blank.
    assert Organisation.objects.get(credit_code=MIANYANG_2).region.code == "510700"
    assert Organisation.objects.get(credit_code=JILIN).kind == "research_institute"
    iso = Organisation.objects.get(name_key__startswith="国际标准化")
    assert (iso.kind, iso.credit_code) == ("international", "")
    event = jiuzhou.events.get()
    assert event.type == OrganisationEvent.Type.CREATED
    assert "orgs.csv" in event.reason


def test_english_headers_xlsx_and_upsert(tmp_path, make_org):
    existing = make_org("吉林省计量科学研究院", kind="research_institute")
    header = ["name_zh", "name_en", "credit_code", "kind", "region", "website"]
    rows = [
        # Same name in another spelling: updates the registered one.
        ["吉林省计量科学研究院 ", "Jilin Institute of Metrology", JILIN, "", "", ""],
        [
            "成都市标准化研究院",
            "",
            CHENGDU,
            "标准化研究机构",
            510100,
            "http://cdbz.example",
        ],
    ]
    path = _xlsx(tmp_path / "orgs.xlsx", header, rows)
    report = importing.organisations_import(actor=None, path=path)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    existing.refresh_from_db()
    assert existing.credit_code == JILIN
    assert existing.name_en == "Jilin Institute of Metrology"
    assert existing.events.filter(type=OrganisationEvent.Type.UPDATED).exists()
    chengdu = Organisation.objects.get(credit_code=CHENGDU)
    assert chengdu.kind == "standardization_institute"
    assert chengdu.region.code == "510100"
    # The same file again changes nothing; by credit code, a new name renames.
    report = importing.organisations_import(actor=None, path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    rows[1][0] = "成都市标准化研究院（更名）"
    report = importing.organisations_import(
        actor=None, path=_xlsx(tmp_path / "again.xlsx", header, rows)
    )
    chengdu.refresh_from_db()
    assert chengdu.name_zh == "成都市标准化研究院（更名）"
    assert chengdu.former_names == ["成都市标准化研究院"]
    assert Organisation.objects.count() == 2


def test_bad_rows_refuse_the_whole_file(tmp_path, db):
    rows = [list(r) for r in ZH_ROWS]
    rows[1][2] = MIANYANG_2[:17] + ("0" if MIANYANG_2[17] != "0" else "1")
    rows[2][4] = "229999"
    rows[3][3] = "商店"
    path = _csv(tmp_path / "bad.csv", ZH_HEADER, rows)
    with pytest.raises(ApplicationError) as exc_info:
        importing.organisations_import(actor=None, path=path)
    errors = _errors(exc_info)
    assert errors[0].startswith("line 3, field credit_code: The check character")
    assert errors[1].startswith("line 4, field region: 229999 is not")
    assert errors[2].startswith("line 5, field kind: Unknown kind '商店'")
    assert len(errors) == 3
    assert "3 error(s) in 3 of 4 row(s)" in exc_info.value.message
    assert not Organisation.objects.exists()


def test_duplicates_within_the_file_name_both_lines(tmp_path, db):
    header = ["名称", "统一社会信用代码", "类型"]
    rows = [
        ["四川省（绵阳）科技有限公司", MIANYANG, "企业"],
        ["另一家公司", MIANYANG, "企业"],
        ["四川省(绵阳)科技有限公司", "", "企业"],
    ]
    path = _csv(tmp_path / "dup.csv", header, rows)
    with pytest.raises(ApplicationError) as exc_info:
        importing.organisations_import(actor=None, path=path)
    assert _errors(exc_info) == [
        f"line 3, field credit_code: The credit code {MIANYANG} is also on line 2.",
        "line 4, field name_zh: The same organisation (by its normalised name) "
        "is also on line 2.",
    ]
    assert not Organisation.objects.exists()


def test_new_organisation_needs_a_kind(tmp_path, db):
    path = _csv(tmp_path / "k.csv", ["名称"], [["某公司"]])
    with pytest.raises(ApplicationError) as exc_info:
        importing.organisations_import(actor=None, path=path)
    assert _errors(exc_info) == [
        "line 2, field kind: Give the kind of a new organisation."
    ]
    assert not Organisation.objects.exists()


def test_write_time_refusal_rolls_back_everything(tmp_path, make_org):
    # The file's credit code belongs to one organisation, its name to another:
    # updating the first with the second's name is refused by the service.
    make_org("成都某公司", credit_code=CHENGDU)
    make_org("绵阳某公司")
    header = ["名称", "统一社会信用代码", "类型"]
    rows = [["新公司", MIANYANG, "企业"], ["绵阳某公司", CHENGDU, "企业"]]
    with pytest.raises(ApplicationError) as exc_info:
        importing.organisations_import(
            actor=None, path=_csv(tmp_path / "w.csv", header, rows)
        )
    errors = _errors(exc_info)
    assert len(errors) == 1
    assert errors[0].startswith(
        "line 3, field name_zh: 绵阳某公司 is already registered"
    )
    assert not Organisation.objects.filter(name_zh="新公司").exists()


def test_dry_run_writes_nothing(tmp_path, db):
    path = _csv(tmp_path / "orgs.csv", ZH_HEADER, ZH_ROWS)
    report = importing.organisations_import(actor=None, path=path, dry_run=True)
    assert (report.created, report.dry_run) == (4, True)
    assert not Organisation.objects.exists()


def test_bounds_and_unreadable_files(tmp_path, db, monkeypatch):
    path = _csv(tmp_path / "long.csv", ["名称", "地址"], [["某公司", "x" * 1001]])
    with pytest.raises(ApplicationError, match="more than 1000 characters"):
        importing.organisations_import(actor=None, path=path)
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [[f"公司{i}", "企业"] for i in range(4)]
    path = _xlsx(tmp_path / "many.xlsx", ["名称", "类型"], rows)
    with pytest.raises(ApplicationError, match="more than 3 rows"):
        importing.organisations_import(actor=None, path=path)
    path = _csv(tmp_path / "nohead.csv", ["地址"], [["x"]])
    with pytest.raises(ApplicationError, match="no name column"):
        importing.organisations_import(actor=None, path=path)
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ApplicationError, match=r"\.csv or \.xlsx"):
        importing.organisations_import(actor=None, path=tmp_path / "x.pdf")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ApplicationError, match="Cannot read the XLSX"):
        importing.organisations_import(actor=None, path=tmp_path / "bad.xlsx")
    assert not Organisation.objects.exists()


def test_only_staff_import(tmp_path, plain_user, db):
    path = _csv(tmp_path / "orgs.csv", ZH_HEADER, ZH_ROWS)
    with pytest.raises(ApplicationError):
        importing.organisations_import(actor=plain_user, path=path)


def test_command_summary_json_and_refusal(tmp_path, db, capsys):
    path = _csv(tmp_path / "orgs.csv", ZH_HEADER, ZH_ROWS)
    call_command("import_organisations", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert out.strip() == (
        "orgs.csv: would import 4 rows: 4 new organisations, 0 updated, 0 unchanged"
    )
    call_command("import_organisations", str(path), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "ok": True,
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    bad = _csv(
        tmp_path / "bad.csv", ["名称", "行政区划代码", "类型"], [["某", "1", "企业"]]
    )
    with pytest.raises(CommandError, match="not imported"):
        call_command("import_organisations", str(bad))
    err = capsys.readouterr().err
    assert err.startswith("line 2, field region: 1 is not an administrative-division")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_organisations", str(tmp_path / "missing.csv"))
    assert Organisation.objects.count() == 4
