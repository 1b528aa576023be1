"""Catalogue imports of foreign formats: ISO Open Data (JSON Lines and CSV)
and Relaton XML, the real sample files where ../shared has them, and XML
that is hostile or broken."""

import json

import pytest

from qihub.catalog.importing import standards_import
from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.tests.test_imports import SAMPLES, needs_samples


@needs_samples
def test_iso_open_data_samples(classifications):
    report = standards_import(
        file=SAMPLES / "iso-open-data-62085.json", fmt="iso-jsonl"
    )
    assert report.ok, report.errors
    std = Standard.objects.get(identifier="ISO 9001:2015")
    assert std.external_id == "62085"
    assert std.level == "international"
    assert std.status == "published"  # stage 90.92: to be revised, still published
    assert std.committee == "ISO/TC 176/SC 2"
    assert sorted(c.code for c in std.ics.all()) == ["03.100.70", "03.120.10"]
    assert std.issued_on.isoformat() == "2015-09-22"
    assert "quality management system" in std.scope
    # replaces 46486, 54538 and replacedBy 88464 are outside this extract.
    assert {w.field for w in report.warnings} == {"replaces", "replacedBy"}

    report = standards_import(file=SAMPLES / "iso-open-data-sample.jsonl")
    assert report.format == "iso-jsonl"
    assert report.ok, report.errors
    assert (
        Standard.objects.filter(
            identifier__in=["ISO/TR 7035-2:2024", "ISO/IEC 19566-7:2022/Amd 1:2025"]
        ).count()
        == 2
    )


def test_iso_ids_resolve_within_the_file_and_catalogue(tmp_path, classifications):
    lines = [
        {
            "id": 46486,
            "reference": "ISO 9001:2008",
            "currentStage": 9599,
            "replacedBy": [62085],
            "icsCode": ["03.120.10"],
        },
        {
            "id": 62085,
            "reference": "ISO 9001:2015",
            "currentStage": "90.93",
            "replaces": [46486],
            "icsCode": ["03.120.10"],
        },
    ]
    path = tmp_path / "iso.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in lines[:1]) + "\n")
    assert standards_import(file=path).ok
    old = Standard.objects.get(identifier="ISO 9001:2008")
    assert old.status == "replaced"
    path.write_text("\n".join(json.dumps(r) for r in lines[1:]) + "\n")
    report = standards_import(file=path)
    assert report.ok
    assert not report.warnings
    assert report.relations == 1
    assert StandardRelation.objects.filter(
        source__identifier="ISO 9001:2015", target=old, kind="replaces"
    ).exists()


def test_iso_csv(tmp_path, classifications):
    path = tmp_path / "iso.csv"
    path.write_text(
        "id,reference,icsCode,currentStage,replaces,replacedBy\n"
        "1,ISO 8124-1:2014,97.200.50,9599,,2\n"
        "2,ISO 8124-1:2018,97.200.50,6060,1,\n"
    )
    report = standards_import(file=path)
    assert report.format == "iso-csv"
    assert report.ok, report.errors
    # Both directions name the same relation: it is stored once.
    assert report.relations == 1
    assert StandardRelation.objects.get().source.identifier == "ISO 8124-1:2018"


@needs_samples
def test_relaton_gb_records(classifications):
    for name in ("relaton-gb_gbt_20223_2006.xml", "relaton-gb_gbt_5606_1_2004.xml"):
        report = standards_import(file=SAMPLES / name)
        assert report.format == "relaton"
        assert report.ok, report.errors
    cotton = Standard.objects.get(identifier="GB/T 20223-2006")
    assert (cotton.title_zh, cotton.title_en) == ("棉短绒", "Cotton linter")
    assert cotton.status == "withdrawn"  # obsoleted
    assert [c.code for c in cotton.ics.all()] == ["59.060.10"]
    assert cotton.ccs_id == "B32"
    assert cotton.issued_on.isoformat() == "2006-03-10"
    assert cotton.nature == "recommended"
    assert "质量监督检验检疫总局" in cotton.issuing_body
    cig = Standard.objects.get(identifier="GB/T 5606.1-2004")
    assert cig.title_en == "Cigarettes"
    assert cig.status == "in_force"  # activated


def test_relaton_collection_and_relations(tmp_path, classifications):
    xml = """<relaton-collection>
      <relation type="partOf"><bibdata type="standard">
        <title language="zh" type="main">卷烟 第1部分</title>
        <docidentifier primary="true">GB/T 5606.1-2004</docidentifier>
        <status><stage>activated</stage></status>
        <relation type="obsoletes"><bibitem><docidentifier>GB/T 5606.1-1996</docidentifier></bibitem></relation>
      </bibdata></relation>
      <relation type="partOf"><bibdata type="standard">
        <title language="zh" type="main">卷烟 第1部分 旧版</title>
        <docidentifier primary="true">GB/T 5606.1-1996</docidentifier>
        <status><stage>obsoleted</stage></status>
      </bibdata></relation>
    </relaton-collection>"""
    path = tmp_path / "c.xml"
    path.write_text(xml, encoding="utf-8")
    report = standards_import(file=path)
    assert report.ok, report.errors
    assert report.created == 2
    assert report.relations == 1


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        '"&lol;&lol;&lol;&lol;">]><bibdata><docidentifier>&lol2;</docidentifier></bibdata>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<bibdata><docidentifier>&xxe;</docidentifier></bibdata>",
        "<bibdata><docidentifier>GB 1-2020</docidentifier>",
    ],
    ids=["billion-laughs", "external-entity", "not-well-formed"],
)
def test_hostile_or_broken_xml_is_refused(tmp_path, db, xml):
    from qihub.catalog.importing import ImportFormatError

    path = tmp_path / "evil.xml"
    path.write_text(xml)
    with pytest.raises(ImportFormatError):
        standards_import(file=path)
    assert Standard.objects.count() == 0
