"""Demo sharing: this instance's identity (base URL from QIHUB_BASE_URL, by
default http://127.0.0.1:8000) with a signing key, publishing its local and
group standards, standard projects, research projects, consultations,
its expert pool and the standard texts it holds.

A second instance that shares a catalogue (see the README, "Sharing between
institutes"): ``QIHUB_DATA_DIR=var2 QIHUB_BASE_URL=http://127.0.0.1:8001
qihub serve --port 8001 --demo``, then register each instance with the other
by its base URL on the staff page ``/sharing/`` (its keys are read from its
``/api/network/instance``), accept it and run ``qihub network-pull``.
"""

import os

from qihub.sharing import services
from qihub.sharing.models import SharedKind


def load(stdout=None) -> None:
    from qihub.organisations.models import Organisation

    base_url = os.environ.get("QIHUB_BASE_URL", "http://127.0.0.1:8000")
    organisation = Organisation.objects.order_by("pk").first()
    services.identity_set(base_url=base_url, organisation=organisation)
    for kind in (
        SharedKind.LOCAL_STANDARD,
        SharedKind.GROUP_STANDARD,
        SharedKind.PROJECT,
        SharedKind.RESEARCH,
        SharedKind.CONSULTATION,
        SharedKind.EXPERT,
        SharedKind.HELD_TEXT,
    ):
        services.publishing_set(kind=kind, enabled=True)
    if stdout:
        stdout.write(f"sharing: this instance is {base_url}")


#: The second demo instance's own group standard: everything else in its
#: catalogue comes from the first instance's feed.
SECOND_STANDARD = {
    "identifier": "T/WSCO 2-2026",
    "title_zh": "标准资源共建共享数据交换规范",
    "title_en": "Data exchange for the joint construction of standard resources",
}


def load_second(stdout=None) -> None:
    """The second demo instance (``qihub demo --second-instance``): the
    demo users, the Western cooperation network with its secretariat, one
    group standard, expert and held text of its own, and its identity
    (QIHUB_BASE_URL, by default http://127.0.0.1:8001) publishing every
    kind. Its catalogue is otherwise the first instance's, once pulled
    (``qihub network-join http://127.0.0.1:8000 --accept --pull``)."""
    import datetime

    from qihub.catalog.models import Standard
    from qihub.catalog.services import standard_create
    from qihub.organisations import demo as organisations_demo
    from qihub.organisations import services as organisations
    from qihub.organisations.models import Network, Organisation, SecretariatTerm
    from qihub.pool import services as pool
    from qihub.pool.models import Expert, HeldText

    founded = datetime.date(2019, 4, 25)
    orgs = []
    for name_zh, name_en, region in organisations_demo.INSTITUTES[:2]:
        org = organisations.organisation_match(name=name_zh)
        orgs.append(
            org
            or organisations.organisation_create(
                actor=None,
                kind=Organisation.Kind.STANDARDIZATION_INSTITUTE,
                name_zh=name_zh,
                name_en=name_en,
                region=region,
            )
        )
    name_zh, name_en = organisations_demo.COOPERATION
    network = Network.objects.filter(name_zh=name_zh).first()
    if network is None:
        network = organisations.network_create(
            actor=None,
            kind=Network.Kind.COOPERATION,
            name_zh=name_zh,
            name_en=name_en,
            organisation=orgs[0],
            founded_on=founded,
        )
        for org in orgs:
            organisations.network_member_join(
                actor=None, network=network, organisation=org, joined_on=founded
            )
    if not SecretariatTerm.objects.filter(network=network).exists():
        organisations.secretariat_assign(
            actor=None, network=network, organisation=orgs[0], starts_on=founded
        )
    base_url = os.environ.get("QIHUB_BASE_URL", "http://127.0.0.1:8001")
    services.identity_set(base_url=base_url, organisation=orgs[1])
    for kind in SharedKind.values:
        services.publishing_set(kind=kind, enabled=True)
    if not Standard.objects.filter(identifier=SECOND_STANDARD["identifier"]).exists():
        standard_create(
            actor=None,
            level=Standard.Level.GROUP,
            status=Standard.Status.IN_FORCE,
            issued_on=datetime.date(2026, 1, 15),
            **SECOND_STANDARD,
        )
    if not Expert.objects.exists():
        pool.expert_create(
            name_zh="赵共享",
            name_en="Zhao Gongxiang",
            organisation=orgs[1],
            position="标准化工程师",
            fields="标准信息服务; 数据交换",
            listed=True,
            consent_on=datetime.date(2025, 6, 1),
        )
    if not HeldText.objects.exists():
        pool.held_text_create(
            identifier="ISO 9001:2015",
            edition="2015",
            language="zh",
            licence_scope=HeldText.Scope.READING,
        )
    if stdout:
        stdout.write(f"sharing: second instance {base_url} in {network.name_zh}")
