"""Demo expert pool and held standard texts: three experts (two listed, one
of them sharing an e-mail address; one who has not agreed) and three held
texts, two linked to demo catalogue records."""

import datetime

from qihub.pool import services
from qihub.pool.models import Expert, HeldText

EXPERTS = [
    {
        "name_zh": "王计量",
        "name_en": "Wang Jiliang",
        "position": "高级工程师",
        "fields": "计量; 温度测量; 校准",
        "email": "wang@example.org",
        "listed": True,
        "contact_shared": True,
        "consent_on": datetime.date(2025, 3, 1),
    },
    {
        "name_zh": "李标准",
        "name_en": "Li Biaozhun",
        "position": "研究员",
        "fields": "食品安全; 标准化",
        "listed": True,
        "consent_on": datetime.date(2025, 4, 15),
    },
    {
        "name_zh": "张未列",
        "name_en": "Zhang Weilie",
        "fields": "电气安全",
    },
]


def load(stdout=None) -> None:
    from qihub.catalog.models import Standard
    from qihub.organisations.models import Organisation

    organisation = Organisation.objects.order_by("pk").first()
    if not Expert.objects.exists():
        for values in EXPERTS:
            services.expert_create(organisation=organisation, **values)
    if not HeldText.objects.exists():
        standards = list(Standard.objects.order_by("ident_key")[:2])
        scopes = [HeldText.Scope.NETWORK, HeldText.Scope.SITE]
        for standard, scope in zip(standards, scopes, strict=False):
            services.held_text_create(
                identifier=standard.identifier,
                edition=str(standard.year or standard.issued_on or "—"),
                language="zh",
                licence_scope=scope,
            )
        services.held_text_create(
            identifier="ISO 9001:2015",
            title="Quality management systems — Requirements",
            edition="2015",
            language="en",
            licence_scope=HeldText.Scope.SINGLE_USER,
            licence_until=datetime.date(2027, 12, 31),
        )
    if stdout:
        stdout.write(
            f"pool: {Expert.objects.count()} experts, "
            f"{HeldText.objects.count()} held texts"
        )
