from ninja import Router, Schema

from qihub.vocab import selectors

router = Router()


class IcsOut(Schema):
    code: str
    level: int
    title_en: str
    parent: str | None
    standards: int | None = None


class CcsOut(Schema):
    code: str
    level: int
    name_zh: str
    name_en: str
    parent: str | None


@router.get("/ics/", response=list[IcsOut], summary="ICS codes (children of a parent)")
def ics_list(request, parent: str | None = None):
    """The top-level ICS fields, or the children of ``parent``."""
    return [
        IcsOut(
            code=c.code,
            level=c.level,
            title_en=c.title_en,
            parent=c.parent_id,
            standards=getattr(c, "standard_count", None),
        )
        for c in selectors.ics_children(parent=parent)
    ]


@router.get("/ccs/", response=list[CcsOut], summary="CCS codes (children of a parent)")
def ccs_list(request, parent: str | None = None):
    return [
        CcsOut(
            code=c.code,
            level=c.level,
            name_zh=c.name_zh,
            name_en=c.name_en,
            parent=c.parent_id,
        )
        for c in selectors.ccs_children(parent=parent)
    ]
