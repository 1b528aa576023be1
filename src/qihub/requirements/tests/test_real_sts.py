"""Real ISO/NISO STS documents nobody here wrote (``../shared/data/real/sts``).

Every document with a real identifier imports; the others are refused only
because they do not say which standard they are.
"""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from qihub.catalog.models import Standard, StandardRelation
from qihub.core.errors import ApplicationError
from qihub.requirements import fulltext, services, sts
from qihub.requirements.models import Parameter, Requirement, RequirementEvent
from qihub.requirements.tests.conftest import standard_for

pytestmark = pytest.mark.django_db

REAL = Path(__file__).resolve().parents[4] / "../shared/data/real/sts"
ISO_13849 = REAL / "sts-ruby__ISO_13849-1_2008-12_en_TBX.xml"
# What a refusal may say: the file does not name its standard.
NO_IDENTIFIER = ("No <std-ref> or <std-ident>", "identifier")

needs_share = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real STS share not found at {REAL}"
)


def _real_files() -> list[Path]:
    return sorted(REAL.glob("*.xml")) if REAL.is_dir() else []


@needs_share
@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_every_real_document_imports_or_lacks_an_identifier(path):
    outcome = _import_or_reason(path)
    if isinstance(outcome, str):
        assert any(reason in outcome for reason in NO_IDENTIFIER), outcome
    else:
        assert Standard.objects.filter(pk=outcome.document.standard_id).exists()


def _import_or_reason(path: Path):
    try:
        return fulltext.document_import(
            data=path.read_bytes(), filename=path.name, extract=False
        )
    except ApplicationError as exc:
        return str(exc)


@needs_share
def test_iso_13849_1_clause_tree_tables_terms_and_references():
    result = fulltext.document_import(
        data=ISO_13849.read_bytes(), filename=ISO_13849.name, extract=False
    )
    doc = result.document
    # The dated <std-ref> (ISO 13849-1:2006-11), not the undated one.
    assert doc.standard.identifier == "ISO 13849-1:2006"
    assert doc.standard.level == Standard.Level.INTERNATIONAL
    assert result.tables == 25
    assert sum(len(c.tables) for c in doc.clauses.all()) == 25
    assert doc.terms.count() == 37
    normative = list(doc.references.values_list("identifier", flat=True))
    assert normative == [
        "ISO 12100-1:2003",
        "ISO 12100-2:2003",
        "ISO 13849-2:2003",
        "ISO 14121",
        "IEC 60050-191:1990",
        "IEC 61508-3:1998",
        "IEC 61508-4:1998",
    ]
    # The bibliography is kept, apart, with clean identifiers.
    bibliography = fulltext.document_as_dict(doc)["bibliography"]
    assert result.bibliography == len(bibliography) > 40
    idents = [b["identifier"] for b in bibliography]
    assert idents[:2] == ["IEC 61000-4-4", "IEC 61496-1"]
    assert "ISO/FDIS 13850" in idents
    assert not any("ISO 9070" in i or "DOCUMENT" in i for i in idents)
    assert not any(i.startswith(("1 ", "[1]")) for i in idents)
    # Footnotes stay footnotes: under the table, and at the citing clause.
    table_1 = next(
        t for c in doc.clauses.all() for t in c.tables if t["anchor"] == "tab-1"
    )
    assert any(f.startswith("a Designated architectures") for f in table_1["foot"])
    assert not any(
        "Designated architectures" in cell for row in table_1["body"] for cell in row
    )
    scope = doc.clauses.get(anchor="sub-2")
    assert "To be published. (Revision of ISO 14121:1999)" in scope.text
    assert "ISO 9070" not in scope.text
    assert not result.warnings


@needs_share
def test_import_command_reports_the_real_share(tmp_path):
    out = StringIO()
    call_command(
        "import_sts",
        str(REAL / "sts-ruby__Smallsamples__nat-meta.xml"),
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "ISO 123456:2009: would import 0 clauses, 0 tables" in text
    assert "warning: The body holds no <sec> clauses." in text


FOOTNOTES_IN_CELLS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE standard PUBLIC "-//ISO//DTD ISO STS v1.1//EN" "ISOSTS.dtd">
<standard><front><iso-meta>
<title-wrap xml:lang="en"><full>Cereals and pulses &mdash; Rice</full></title-wrap>
<std-ref type="undated">ISO 17301-1</std-ref><std-ref type="dated">ISO 17301-1:2016</std-ref>
</iso-meta></front><body><sec id="s5"><label>5</label><title>Specifications</title>
<table-wrap id="tab-1"><label>Table 1</label>
<caption><title>Maximum permissible mass fraction of defects</title></caption>
<table><thead>
<tr><th rowspan="2">Defect</th><th colspan="2">Maximum permissible mass fraction of defects %</th></tr>
<tr><th>Husked rice</th><th>Milled rice</th></tr></thead>
<tbody>
<tr><td>Paddy</td><td>2,5</td><td>0,3</td></tr>
<tr><td>Chalky kernels</td><td>5,0<fn id="fn-c"><label>c</label><p>Determined after
milling.</p></fn></td><td>5,0<fn id="fn-c2"><label>c</label><p>Determined after
milling.</p></fn></td></tr>
</tbody>
<tfoot><tr><td colspan="3">Live insects shall not be present.</td></tr></tfoot>
</table></table-wrap></sec></body></standard>
"""


def test_footnotes_in_cells_stay_footnotes_and_unknown_rows_are_new_parameters(
    staff_user,
):
    parsed = sts.parse_sts(FOOTNOTES_IN_CELLS)
    (table,) = parsed.clauses[0].tables
    assert table.body == [
        ["Paddy", "2,5", "0,3"],
        ["Chalky kernels", "5,0c", "5,0c"],
    ]
    assert table.foot == [
        "Live insects shall not be present.",
        "c Determined after milling.",
    ]
    result = fulltext.document_import(
        data=FOOTNOTES_IN_CELLS, filename="iso17301.xml", actor=staff_user
    )
    assert result.new_parameters == 4
    assert any("outside the vocabulary" in w for w in result.warnings)
    paddy = Parameter.objects.get(name_en="Paddy")
    assert paddy.is_new
    assert sorted(
        (str(r.value.normalize()), r.subject, r.unit)
        for r in Requirement.objects.filter(parameter=paddy)
    ) == [("0.3", "Milled rice", "%"), ("2.5", "Husked rice", "%")]

    target = (
        services.parameter_resolve("moisture")
        or Parameter.objects.filter(is_new=False).first()
    )
    moved = services.parameter_map(parameter=paddy, target=target, actor=staff_user)
    assert moved == 2
    assert not Parameter.objects.filter(pk=paddy.pk).exists()
    assert Requirement.objects.filter(parameter=target, subject="Husked rice").exists()
    assert (
        RequirementEvent.objects.filter(
            type="corrected", details__parameter=["new-paddy", target.key]
        ).count()
        == 2
    )
    assert services.parameter_resolve("Paddy") == target
    with pytest.raises(ApplicationError, match="not a new parameter"):
        services.parameter_map(parameter=target, target=target, actor=staff_user)


DIN_ADOPTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE adoption SYSTEM "NISO-STS-interchange-1.dtd">
<adoption xml:lang="de"><adoption-front><nat-meta originator="DIN">
<title-wrap xml:lang="de"><full>Sicherheit von Maschinen &mdash; Teil 1</full></title-wrap>
<std-ref type="dated">DIN EN ISO 13849-1:2008-12</std-ref>
</nat-meta></adoption-front>
<standard xml:lang="en"><front><iso-meta>
<title-wrap xml:lang="en"><full>Safety of machinery &mdash; Part 1</full></title-wrap>
<std-ref type="dated">ISO 13849-1:2006</std-ref></iso-meta></front>
<body><sec id="s1"><label>1</label><title>Scope</title><p>Text.</p></sec></body>
</standard></adoption>
"""


def test_din_adoption_reads_both_identifiers():
    parsed = sts.parse_sts(DIN_ADOPTION)
    assert parsed.identifier == "DIN EN ISO 13849-1:2008"
    assert parsed.adopted_identifier == "ISO 13849-1:2006"
    assert parsed.title_zh == ""
    assert parsed.adoption_degree == "IDT"


def test_din_adoption_is_catalogued_as_foreign_and_adopts_the_iso_standard():
    iso = standard_for("ISO 13849-1:2006")
    result = fulltext.document_import(data=DIN_ADOPTION, filename="din.xml")
    din = result.document.standard
    assert din.identifier == "DIN EN ISO 13849-1:2008"
    assert din.level not in (Standard.Level.INTERNATIONAL,)
    assert StandardRelation.objects.filter(
        source=din, target=iso, kind=StandardRelation.Kind.ADOPTS
    ).exists()


@needs_share
def test_data_tables_of_iso_13849_1_propose_no_new_parameters():
    """Its tables hold failure rates and typical values, not limits: no row of
    them becomes a new parameter."""
    from qihub.requirements import extraction

    parsed = sts.parse_sts(ISO_13849.read_bytes())
    proposals = [
        p
        for c in parsed.clauses
        for p in extraction.extract_clause(
            c.text, [t.as_json() for t in c.tables], title=c.title
        )
    ]
    assert not [p for p in proposals if p.new_parameter]
