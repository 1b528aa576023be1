"""A small catalogue for the validity check tests: replaced editions (one
chain of two steps), a withdrawn one, one to be implemented, an adoption;
and the ten-line list of the issue (mixed spellings, two replaced, one
withdrawn, one unknown)."""

import datetime
import re

from qihub.catalog import services

D = datetime.date

#: (line as a quality manual writes it, expected verdict, expected chain)
TEN_LINES = [
    (
        "GBT19001-2008 质量管理体系 要求",
        "replaced",
        ["GB/T 19001-2008", "GB/T 19001-2016"],
    ),
    (
        "ＧＢ　２７６２—２０１２ 食品中污染物限量",
        "replaced",
        ["GB 2762-2012", "GB 2762-2017", "GB 2762-2022"],
    ),
    (
        "ISO 14001:2004 Environmental management systems",
        "withdrawn",
        ["ISO 14001:2004"],
    ),
    ("GB/T 99999-2020 不存在的标准", "unknown", []),
    ("GB/T 24001-2016 环境管理体系", "valid", ["GB/T 24001-2016"]),
    ("gb/t 45001-2020", "valid", ["GB/T 45001-2020"]),
    ("ISO 9001:2015 Quality management systems", "valid", ["ISO 9001:2015"]),
    ("GB 18401-2010 国家纺织产品基本安全技术规范", "valid", ["GB 18401-2010"]),
    ("GB 50016-2014(2018年版) 建筑设计防火规范", "valid", ["GB 50016-2014(2018年版)"]),
    ("GB/T 1.1 标准化工作导则", "valid", ["GB/T 1.1-2020"]),
]


def build() -> dict:
    """Create the catalogue; returns the standards by identifier."""
    made = {}

    def add(identifier, **kw):
        # issued in the identifier's year (the catalogue refuses an issue
        # date that does not fit it)
        year = int(re.search(r"[-:](\d{4})", identifier).group(1))
        kw.setdefault("issued_on", D(year, 1, 1))
        made[identifier] = services.standard_create(
            actor=None, identifier=identifier, **kw
        )
        return made[identifier]

    add("GB/T 19001-2008", title_zh="质量管理体系 要求", implemented_on=D(2009, 3, 1))
    add(
        "GB/T 19001-2016",
        title_zh="质量管理体系 要求",
        issued_on=D(2016, 12, 30),
        implemented_on=D(2017, 7, 1),
    )
    add("GB 2762-2012", title_zh="食品中污染物限量", implemented_on=D(2013, 6, 1))
    add(
        "GB 2762-2017",
        title_zh="食品中污染物限量",
        issued_on=D(2017, 3, 17),
        implemented_on=D(2017, 9, 17),
    )
    add(
        "GB 2762-2022",
        title_zh="食品中污染物限量",
        issued_on=D(2022, 6, 30),
        implemented_on=D(2023, 6, 30),
    )
    add("ISO 14001:2004", title_en="Environmental management systems")
    add(
        "GB/T 24001-2016",
        title_zh="环境管理体系 要求及使用指南",
        implemented_on=D(2017, 5, 1),
    )
    add(
        "GB/T 45001-2020", title_zh="职业健康安全管理体系", implemented_on=D(2020, 3, 6)
    )
    add(
        "ISO 9001:2015", title_en="Quality management systems", issued_on=D(2015, 9, 22)
    )
    add(
        "GB 18401-2010",
        title_zh="国家纺织产品基本安全技术规范",
        implemented_on=D(2011, 8, 1),
    )
    add(
        "GB 50016-2014(2018年版)",
        title_zh="建筑设计防火规范",
        implemented_on=D(2018, 10, 1),
    )
    add("GB/T 1.1-2009", title_zh="标准化工作导则", implemented_on=D(2010, 1, 1))
    add(
        "GB/T 1.1-2020",
        title_zh="标准化工作导则",
        issued_on=D(2020, 3, 31),
        implemented_on=D(2020, 10, 1),
    )
    add(
        "GB 99001-2026",
        title_zh="未来实施的标准",
        issued_on=D(2026, 1, 1),
        implemented_on=D(2030, 1, 1),
    )
    services.standard_replace(
        old=made["GB/T 19001-2008"], new=made["GB/T 19001-2016"], actor=None
    )
    services.standard_replace(
        old=made["GB 2762-2012"], new=made["GB 2762-2017"], actor=None
    )
    services.standard_replace(
        old=made["GB 2762-2017"], new=made["GB 2762-2022"], actor=None
    )
    services.standard_replace(
        old=made["GB/T 1.1-2009"], new=made["GB/T 1.1-2020"], actor=None
    )
    services.standard_withdraw(
        standard=made["ISO 14001:2004"], actor=None, reason="test", on=D(2018, 1, 1)
    )
    services.relation_add(
        source=made["GB/T 19001-2016"],
        target=made["ISO 9001:2015"],
        kind="adopts",
        degree="IDT",
        note="",
        actor=None,
    )
    return made
