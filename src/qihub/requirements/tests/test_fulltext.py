import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.requirements import authoring, fulltext, sts
from qihub.requirements.models import Clause, Document, Requirement
from qihub.requirements.tests.conftest import standard_for

pytestmark = pytest.mark.django_db

#: The NISO STS schema is one of the public reference files in ../shared;
#: without it there is nothing to validate against.
needs_schema = pytest.mark.skipif(
    not sts.schema_available(),
    reason="the NISO STS schema is not in the shared data directory (../shared)",
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE standard [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<standard><front><std-meta><std-ref>GB 1-2020</std-ref></std-meta></front>
<body><sec><title>&lol3;</title></sec></body></standard>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE standard [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<standard><body><sec><p>&xxe;</p></sec></body></standard>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE standard SYSTEM "http://127.0.0.1:9/ISOSTS.dtd">
<standard><front><iso-meta><title-wrap xml:lang="en"><full>Welding &mdash;
Electrodes &Eacute;&times;2</full></title-wrap>
<std-ref type="undated">ISO 2560</std-ref><std-ref type="dated">ISO 2560:2009</std-ref>
</iso-meta></front><body><sec id="s1"><label>1</label><title>Scope</title>
<p>Text&nbsp;here&hellip;</p></sec></body></standard>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE standard [<!ENTITY % dtd SYSTEM "http://example.com/evil.dtd"> %dtd;]>
<standard/>
"""

UNKNOWN_ENTITY = b"""<?xml version="1.0"?>
<standard><body><sec><p>&nosuch;</p></sec></body></standard>
"""


@needs_schema
def test_import_gb31701(sts_data, staff_user):
    StandardFactory(identifier="GB 18401-2010")
    result = fulltext.document_import(
        data=sts_data("gb31701-2015.sts.xml"), filename="gb31701.xml", actor=staff_user
    )
    doc = result.document
    assert result.created_standard
    assert doc.standard.identifier == "GB 31701-2015"
    assert doc.standard.nature == Standard.Nature.MANDATORY
    assert result.schema_errors == []
    numbers = list(doc.clauses.values_list("number", flat=True))
    assert numbers[:4] == ["1", "2", "3", "3.1"]
    assert "A" in numbers
    assert "A.1" in numbers
    annex = doc.clauses.get(number="A")
    assert annex.kind == Clause.Kind.ANNEX
    assert doc.clauses.get(number="A.1").parent == annex
    table_clause = doc.clauses.get(number="4.2")
    (table,) = table_clause.tables
    assert table["head"] == [["项目", "A类", "B类", "C类"]]
    assert table["body"][0] == ["甲醛含量/(mg/kg) ≤", "20", "75", "300"]
    assert table["foot"]
    assert {t.term for t in doc.terms.all()} == {
        "婴幼儿纺织产品",
        "儿童纺织产品",
        "绳带",
    }
    refs = {r.identifier: r.standard for r in doc.references.all()}
    assert refs["GB 18401-2010"] is not None
    assert refs["GB/T 7573"] is None
    assert doc.source_file.read() == sts_data("gb31701-2015.sts.xml")
    proposed = Requirement.objects.filter(standard=doc.standard)
    assert (
        proposed.filter(status=Requirement.Status.PROPOSED).count() == result.proposed
    )
    assert proposed.filter(
        parameter__key="formaldehyde", value=75, conditions={"class": "B"}
    ).exists()
    assert doc.events.get().type == "imported"


@needs_schema
def test_adoption_links_international_standard(sts_data):
    iso = standard_for("ISO 8124-1:2012")
    result = fulltext.document_import(
        data=sts_data("iso8124-adoption.sts.xml"), filename="gb6675.xml"
    )
    doc = result.document
    assert doc.standard.identifier == "GB 6675.1-2014"
    assert doc.adopted_identifier == "ISO 8124-1:2012"
    assert StandardRelation.objects.filter(
        source=doc.standard, target=iso, kind="adopts"
    ).exists()
    assert result.schema_errors == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (BILLION_LAUGHS, "line 4: Entity declarations that refer to other entities"),
        (EXTERNAL_ENTITY, "line 2: External entities are not allowed"),
        (PARAMETER_ENTITY, "line 2: Parameter entities are not allowed"),
        (UNKNOWN_ENTITY, r"line 2: Unknown entity &nosuch;"),
        (b"<standard><body><sec></body></standard>", "line 1: Malformed XML"),
        (b"<article/>", "expected <standard> or <adoption>"),
        (b"<standard><body/></standard>", "No <std-ref>"),
        (b"", "empty"),
    ],
)
def test_hostile_or_malformed_xml_is_refused_and_nothing_stored(payload, message):
    with pytest.raises(ApplicationError, match=message):
        fulltext.document_import(data=payload, filename="bad.xml")
    assert not Document.objects.exists()
    assert not Standard.objects.exists()


def test_size_limit(monkeypatch):
    monkeypatch.setattr(sts, "MAX_BYTES", 100)
    with pytest.raises(sts.StsError, match="limit"):
        sts.safe_parse(b"<standard>" + b" " * 200 + b"</standard>")


def test_entities_expanding_past_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(sts, "MAX_BYTES", 2000)
    data = (
        b'<!DOCTYPE standard [<!ENTITY big "'
        + b"x" * 1000
        + b'">]><standard>'
        + b"&big;" * 20
        + b"</standard>"
    )
    with pytest.raises(sts.StsError, match="expand past the size limit"):
        sts.safe_parse(data)


def test_doctype_is_accepted_but_never_loaded_and_iso_entities_resolve():
    """Real ISO STS files name ISOSTS.dtd and use its entities: the DTD is
    never read (the URL here would fail), the entities come from the shipped
    table, and line numbers stay right."""
    parsed = sts.parse_sts(EXTERNAL_DTD)
    assert parsed.identifier == "ISO 2560:2009"  # the dated form, not ISO 2560
    assert parsed.title_en == "Welding — Electrodes É×2"
    assert parsed.clauses[0].paragraphs == ["Text here…"]  # nbsp collapsed
    with pytest.raises(sts.StsError, match="line 7: Malformed XML"):
        sts.safe_parse(EXTERNAL_DTD.replace(b"</sec></body>", b"</body>"))


def test_plain_internal_entities_are_expanded():
    data = (
        b'<!DOCTYPE standard [\n  <!ENTITY td "table cell text">\n'
        b"  <!ELEMENT x ANY>\n]>\n<standard><body><sec><p>&td; &amp; &td;</p>"
        b"</sec></body></standard>"
    )
    root = sts.safe_parse(data)
    assert "".join(root.itertext()) == "table cell text & table cell text"


def test_failure_midway_rolls_back(sts_data, monkeypatch):
    def boom(**kwargs):
        raise ApplicationError("extraction broke")

    monkeypatch.setattr(fulltext, "propose_requirements", boom)
    with pytest.raises(ApplicationError):
        fulltext.document_import(data=sts_data("gb2762-2022.sts.xml"), filename="x.xml")
    assert not Document.objects.exists()
    assert not Clause.objects.exists()
    assert not Standard.objects.exists()


def test_reimport_needs_replace_and_keeps_requirements(sts_data, staff_user):
    first = fulltext.document_import(
        data=sts_data("gb2762-2022.sts.xml"), filename="a.xml"
    )
    req = Requirement.objects.filter(standard=first.document.standard).first()
    with pytest.raises(Conflict, match="already has its full text"):
        fulltext.document_import(data=sts_data("gb2762-2022.sts.xml"), filename="a.xml")
    fulltext.document_import(
        data=sts_data("gb2762-2022.sts.xml"),
        filename="a.xml",
        replace=True,
        extract=False,
    )
    req.refresh_from_db()
    assert req.clause is not None
    assert req.clause.number in ("4.1", "4.2", "4.3")


def test_plain_user_may_not_import(sts_data, plain_user):
    with pytest.raises(PermissionDenied):
        fulltext.document_import(
            data=sts_data("gb2762-2022.sts.xml"), filename="a.xml", actor=plain_user
        )


def test_dry_run_stores_nothing(sts_data):
    result = fulltext.document_import(
        data=sts_data("gb2762-2022.sts.xml"), filename="a.xml", dry_run=True
    )
    assert result.clauses == 9
    assert not Document.objects.exists()


@needs_schema
def test_export_round_trip_validates(sts_data):
    for name in (
        "gb31701-2015.sts.xml",
        "iso8124-adoption.sts.xml",
        "gb2762-2022.sts.xml",
    ):
        result = fulltext.document_import(data=sts_data(name), filename=name)
        xml = fulltext.export_sts(result.document)
        assert sts.validate(xml) == [], name
        again = sts.parse_sts(xml)
        assert again.identifier == result.document.standard.identifier
        assert [c.number for c in again.clauses] == list(
            result.document.clauses.values_list("number", flat=True)
        )
        assert len(again.terms) == result.terms
        data = json.loads(fulltext.export_json(result.document))
        assert data["identifier"] == result.document.standard.identifier


YAML_DOC = """
standard: Q/ABC 001-2024
title_zh: 婴儿连体衣
clauses:
  - number: "1"
    title: 范围
    text: 本标准规定了婴儿连体衣的要求。
  - number: "3"
    title: 术语和定义
  - number: "4"
    title: 要求
    clauses:
      - number: "4.1"
        title: 甲醛
        text: 甲醛含量应不大于 16 mg/kg。
      - number: "4.2"
        title: 理化指标
        table:
          caption: 理化指标
          head: [[项目, 指标]]
          rows: [["pH值", "4.0～7.0"]]
terms:
  - {number: "3.1", term: 连体衣, definition: 上衣和裤子连成一体的服装。}
annexes:
  - {number: A, title: 检验规则, text: 按批检验。}
"""

MARKDOWN_DOC = """---
standard: T/CAS 100-2024
title_zh: 儿童口罩
---
# 1 范围
本文件规定了儿童口罩的要求。
# 3 术语和定义
## 3.1 儿童口罩
适用于6至14岁儿童的口罩。
# 4 要求
## 4.1 甲醛
甲醛含量应不大于 20 mg/kg。
## 4.2 指标
| 项目 | 指标 |
|---|---|
| pH值 | 4.0～8.5 |
# 附录A 试验方法
按GB/T 2912.1测定。
"""


@needs_schema
def test_yaml_authoring_format():
    result = fulltext.document_import(data=YAML_DOC.encode(), filename="q.yaml")
    doc = result.document
    assert doc.source_format == "yaml"
    assert doc.standard.level == Standard.Level.ENTERPRISE
    numbers = list(doc.clauses.values_list("number", flat=True))
    assert numbers == ["1", "3", "3.1", "4", "4.1", "4.2", "A"]
    assert doc.terms.get().term == "连体衣"
    keys = set(
        Requirement.objects.filter(standard=doc.standard).values_list(
            "parameter__key", flat=True
        )
    )
    assert keys == {"formaldehyde", "ph"}
    assert sts.validate(fulltext.export_sts(doc)) == []


def test_markdown_authoring_format():
    result = fulltext.document_import(data=MARKDOWN_DOC.encode(), filename="t.md")
    doc = result.document
    numbers = list(doc.clauses.values_list("number", flat=True))
    assert numbers == ["1", "3", "3.1", "4", "4.1", "4.2", "A"]
    assert doc.clauses.get(number="4.2").tables[0]["body"] == [["pH值", "4.0～8.5"]]
    assert result.proposed == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("standard: [unclosed", "line 1: Malformed YAML"),
        ("title: no identifier", "must start with 'standard"),
    ],
)
def test_bad_yaml_refused(text, message):
    with pytest.raises(ApplicationError, match=message):
        fulltext.document_import(data=text.encode(), filename="bad.yaml")
    assert not Document.objects.exists()


def test_bad_markdown_heading_refused():
    with pytest.raises(sts.StsError, match="line 5: Heading 'Scope'"):
        authoring.parse_markdown(b"---\nstandard: GB 1-2020\n---\n\n# Scope\n")


@needs_schema
def test_import_command(sts_data, tmp_path):
    path = tmp_path / "gb2762.xml"
    path.write_bytes(sts_data("gb2762-2022.sts.xml"))
    out = StringIO()
    call_command("import_sts", str(path), "--dry-run", stdout=out)
    assert "GB 2762-2022: would import 9 clauses" in out.getvalue()
    assert not Document.objects.exists()
    out = StringIO()
    call_command("import_sts", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())[0]
    assert report["schema_valid"] is True
    assert report["clauses"] == 9
    bad = tmp_path / "bad.xml"
    bad.write_bytes(BILLION_LAUGHS)
    with pytest.raises(CommandError, match="Entity declarations that refer"):
        call_command("import_sts", str(bad))
