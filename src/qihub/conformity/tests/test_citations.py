from django.template import Context, Template

from qihub.conformity import services


def test_declaration_backed_by_report(lab, enterprise, gb31701, staff_user):
    from qihub.declarations.services import declaration_create, enterprise_create

    ent = enterprise_create(actor=staff_user, organisation=enterprise, industry="纺织")
    decl = declaration_create(
        actor=staff_user,
        enterprise=ent,
        product_name="婴儿连体服",
        category="婴幼儿纺织产品",
        standards=["GB 31701-2015"],
    )
    report = services.report_create(
        actor=None,
        body=lab,
        number="R-C1",
        product="婴儿连体服",
        standards=["GB 31701"],
        results=[{"parameter": "甲醛含量", "value": "5", "unit": "mg/kg"}],
        conclusion="pass",
    )
    report = services.report_issue(actor=None, report=report)
    services.report_cite(actor=None, report=report, declaration=decl)
    html = Template("{% load conformity %}{% report_citations d %}").render(
        Context({"d": decl})
    )
    assert "Backed by report R-C1 (valid)" in html
    services.report_revoke(actor=None, report=report, reason="x")
    html = Template("{% load conformity %}{% report_citations d %}").render(
        Context({"d": decl})
    )
    assert "revoked" in html
