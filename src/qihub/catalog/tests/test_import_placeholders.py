"""Catalogue imports (issue 18): unknown targets of cites/replaces become
"referenced only" records, upgraded in place; exact duplicate rows merge."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from qihub.catalog import services
from qihub.catalog.importing import standards_import
from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.search import search_standards
from qihub.catalog.tests.test_imports import write_csv

JJG_CSV = (
    settings.SHARED_DATA_DIR
    / "real"
    / "catalogue"
    / "xh3140-metrology__jjg-jjf-specs.qihub.csv"
)

CITING = [
    {
        "identifier": "JJF 1149-2014",
        "title_zh": "心脏除颤器校准规范",
        "status": "现行",
        "replaces": "JJF 1149-2006",
        "cites": "JJG 760-2003;GB 9706.8-2009;Standardization of spirometry, 1994",
    },
    {
        "identifier": "JJF 1234-2018",
        "title_zh": "呼吸机校准规范",
        "cites": "GB 9706.8-2009;YY 0601",
    },
]


@pytest.fixture(params=[0, 1, 2])
def checkers(request, monkeypatch):
    """In this process, or in one or two forked checkers with two-row batches."""
    from qihub.catalog import importing

    if request.param:
        monkeypatch.setattr(importing.checking, "PARALLEL_MIN_BYTES", 0)
        monkeypatch.setattr(importing.readers, "BATCH_SIZE", 2)
        monkeypatch.setattr(importing.checking, "CHECKERS", request.param)
        monkeypatch.setattr(importing.checking, "STAGED_CHECKERS", request.param)
    return request.param


def test_unknown_targets_become_referenced_only_records(
    tmp_path, classifications, checkers
):
    report = standards_import(file=write_csv(tmp_path / "c.csv", CITING))
    assert report.ok, report.errors
    assert (report.created, report.placeholders, report.relations) == (2, 4, 5)
    reasons = [w.reason for w in report.warnings]
    assert sum("referenced only" in r for r in reasons) == 4  # once per record
    assert any("Standardization of spirometry" in r for r in reasons)
    assert "4 cited or replaced standards catalogued as referenced only" in (
        report.summary()
    )
    old = Standard.objects.get(ident_key="JJF1149-2006")
    assert old.referenced_only
    assert old.status == Standard.Status.REPLACED  # the row says so
    assert (old.level, old.nature) == ("national", "recommended")
    cited = Standard.objects.get(ident_key="GB9706.8-2009")
    assert (cited.referenced_only, cited.status) == (True, "unknown")
    undated = Standard.objects.get(ident_key="YY0601")
    assert (undated.year, undated.base_key) == (None, "YY0601")
    assert StandardRelation.objects.filter(
        source__ident_key="JJF1149-2014", target=old, kind="replaces"
    ).exists()
    # Found by search, by identifier, under the unknown status, not as in force.
    assert [s.identifier for s in search_standards(q="GB 9706.8-2009").results] == [
        "GB 9706.8-2009"
    ]
    assert search_standards(q="9706", status="unknown").total == 1
    assert search_standards(q="9706", status="in_force").total == 0


def test_a_dry_run_counts_the_placeholders(tmp_path, classifications):
    report = standards_import(file=write_csv(tmp_path / "c.csv", CITING), dry_run=True)
    assert report.ok
    assert report.placeholders == 4
    assert not Standard.objects.exists()


def test_the_real_record_upgrades_the_placeholder_in_place(tmp_path, classifications):
    standards_import(file=write_csv(tmp_path / "c.csv", CITING))
    placeholder = Standard.objects.get(ident_key="GB9706.8-2009")
    real = [
        {
            "identifier": "GB 9706.8-2009",
            "title_zh": "医用电气设备 第2-4部分：心脏除颤器安全专用要求",
            "status": "in_force",
        }
    ]
    report = standards_import(file=write_csv(tmp_path / "r.csv", real))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.placeholders) == (0, 1, 0)
    upgraded = Standard.objects.get(pk=placeholder.pk)
    assert not upgraded.referenced_only
    assert upgraded.status == "in_force"
    assert upgraded.title_zh.startswith("医用电气设备")
    assert StandardRelation.objects.filter(target=upgraded, kind="cites").count() == 2
    assert search_standards(q="心脏除颤器安全", status="in_force").total == 1


def test_creating_a_placeholders_record_by_hand_upgrades_it(
    tmp_path, classifications, staff_user
):
    standards_import(file=write_csv(tmp_path / "c.csv", CITING))
    placeholder = Standard.objects.get(ident_key="JJG760-2003")
    standard = services.standard_create(
        actor=staff_user, identifier="JJG 760-2003", title_zh="心电监护仪检定规程"
    )
    assert standard.pk == placeholder.pk
    assert not standard.referenced_only
    assert standard.events.filter(type="updated").exists()
    with pytest.raises(services.Conflict):
        services.standard_create(
            actor=staff_user, identifier="JJG 760-2003", title_zh="again"
        )


DUPLICATED = [
    {"identifier": "ISO 9001:2015", "title_en": "Quality management systems"},
    {"identifier": "ISO 14001:2015", "title_en": "Environmental management"},
    {"identifier": "ISO 9001:2015", "title_en": "Quality management systems"},
    {"identifier": "ISO 45001:2018", "title_en": "OH&S management"},
    {"identifier": "ISO 14001:2015", "title_en": "Environmental management"},
]


def test_exact_duplicate_rows_merge_with_a_warning(tmp_path, classifications, checkers):
    report = standards_import(file=write_csv(tmp_path / "d.csv", DUPLICATED))
    assert report.ok, report.errors
    assert report.created == 3
    assert Standard.objects.count() == 3
    merged = {(w.line, w.reason) for w in report.warnings}
    assert (4, "ISO 9001:2015 also appears on line 2 with the same values: merged") in (
        merged
    )
    assert any(line == 6 and "line 3" in reason for line, reason in merged)
    assert search_standards(q="ISO 9001").total == 1


def test_conflicting_duplicates_still_refuse(tmp_path, classifications, checkers):
    rows = [*DUPLICATED, {"identifier": "ISO 9001:2015", "title_en": "Other title"}]
    report = standards_import(file=write_csv(tmp_path / "d.csv", rows))
    assert not report.ok
    [error] = report.errors
    assert (error.line, error.field) == (7, "identifier")
    assert "also appears on line 2 with other values" in error.reason
    assert not Standard.objects.exists()


def test_the_command_prints_the_new_warnings(tmp_path, classifications):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_standards",
        str(write_csv(tmp_path / "c.csv", CITING)),
        stdout=out,
        stderr=err,
    )
    assert "catalogued as referenced only" in err.getvalue()
    assert "not a standard identifier" in err.getvalue()
    assert "referenced only" in out.getvalue()


@pytest.mark.skipif(not JJG_CSV.exists(), reason=f"{JJG_CSV} is absent (../shared)")
def test_the_real_jjg_jjf_list_imports_with_placeholders(classifications):
    report = standards_import(file=JJG_CSV)
    assert report.ok, report.errors[:5]
    assert report.created == 33
    assert report.placeholders > 50
    assert Standard.objects.filter(referenced_only=True).count() == report.placeholders
    assert not Standard.objects.filter(referenced_only=False, title_zh="").exists()
    again = standards_import(file=JJG_CSV)  # the placeholders are now found
    assert (again.updated, again.placeholders) == (33, 0)
