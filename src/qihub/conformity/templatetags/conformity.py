"""``{% report_citations declaration %}``: "backed by report N (valid)" on a
declaration's page, from the conformity link model (declarations' own
models and views stay as they are)."""

from django import template

from qihub.conformity.selectors import citations_for_declaration

register = template.Library()


@register.inclusion_tag("conformity/_report_citations.html")
def report_citations(declaration):
    return {"citations": citations_for_declaration(declaration.pk)}
