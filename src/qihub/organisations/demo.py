"""Demo organisations and networks.

* A regional standard innovation centre in Mianyang (Sichuan) with 20
  co-construction units: research institutes, state-owned enterprises,
  universities and military research units, as such centres have. Between
  them they drafted 4 international, 28 national, 5 industry and 22 group
  standards of the demo catalogue: the figures the Mianyang centre reports.
* A western standardization cooperation organisation of 11 regional
  standardization institutes ("10+1"), whose secretariat moved to another
  member with the second term, with a meeting and an announcement.

Names are those of real bodies of the region; credit codes are left out
because the demo must not claim registry numbers it cannot verify.
Running the loader twice changes nothing.
"""

from __future__ import annotations

import datetime

from qihub.organisations import services
from qihub.organisations.models import (
    Announcement,
    Designation,
    Meeting,
    Network,
    NetworkMember,
    Organisation,
    SecretariatTerm,
)

Kind = Organisation.Kind

AUTHORITIES = [
    ("四川省市场监督管理局", "Sichuan Administration for Market Regulation", "510000"),
    ("绵阳市市场监督管理局", "Mianyang Administration for Market Regulation", "510700"),
]

CENTRE = (
    "绵阳科技城区域标准创新中心",
    "Mianyang Science City Regional Standard Innovation Centre",
)

#: (Chinese name, English name, kind, region)
UNITS = [
    ("中国工程物理研究院", "China Academy of Engineering Physics", Kind.MILITARY_RESEARCH, "510700"),
    ("中国空气动力研究与发展中心", "China Aerodynamics Research and Development Center", Kind.MILITARY_RESEARCH, "510700"),
    ("中国工程物理研究院化工材料研究所", "CAEP Institute of Chemical Materials", Kind.MILITARY_RESEARCH, "510700"),
    ("中国工程物理研究院激光聚变研究中心", "CAEP Research Center of Laser Fusion", Kind.MILITARY_RESEARCH, "510700"),
    ("中国电子科技集团公司第九研究所", "CETC 9th Research Institute", Kind.RESEARCH_INSTITUTE, "510700"),
    ("中国兵器装备集团自动化研究所有限公司", "Automation Research Institute of China South Industries", Kind.RESEARCH_INSTITUTE, "510700"),
    ("绵阳市农业科学研究院", "Mianyang Academy of Agricultural Sciences", Kind.RESEARCH_INSTITUTE, "510700"),
    ("四川长虹电器股份有限公司", "Sichuan Changhong Electric Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("四川九洲电器集团有限责任公司", "Sichuan Jiuzhou Electric Group Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("四川华丰科技股份有限公司", "Sichuan Huafeng Technology Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("利尔化学股份有限公司", "Lier Chemical Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("绵阳京东方光电科技有限公司", "Mianyang BOE Optoelectronics Technology Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("四川长虹新能源科技股份有限公司", "Sichuan Changhong New Energy Technology Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("四川虹欧显示器件有限公司", "Sichuan COC Display Devices Co., Ltd.", Kind.ENTERPRISE, "510700"),
    ("西南科技大学", "Southwest University of Science and Technology", Kind.UNIVERSITY, "510700"),
    ("绵阳师范学院", "Mianyang Teachers' College", Kind.UNIVERSITY, "510700"),
    ("绵阳职业技术学院", "Mianyang Polytechnic", Kind.UNIVERSITY, "510700"),
    ("绵阳市产品质量监督检验所", "Mianyang Product Quality Supervision and Inspection Institute", Kind.TESTING_BODY, "510700"),
    ("绵阳市计量测试所", "Mianyang Institute of Metrology and Testing", Kind.CALIBRATION_LAB, "510700"),
    ("绵阳市食品药品检验所", "Mianyang Institute for Food and Drug Control", Kind.TESTING_BODY, "510700"),
]  # fmt: skip

#: What the centre's units drafted, by level: the Mianyang figures.
DRAFTED = {"international": 4, "national": 28, "industry": 5, "group": 22}

#: Group standards the units published through the city's association,
#: added to the demo catalogue's own group standards to make up 22.
GROUP_TITLES = [
    "智能电视 远场语音交互 技术要求",
    "智能家电 互联互通 设备接入规范",
    "电子元器件 连接器 高可靠性评价方法",
    "锂离子电池 储能系统 安全运行规范",
    "有机发光二极管显示模组 光学性能测试方法",
    "农药原药 杂质谱 测定 高效液相色谱法",
    "风洞试验 测力天平 校准规范",
    "激光器 光束质量 测量方法",
    "含能材料 热安全性 评价方法",
    "工业机器人 运行状态 监测规范",
    "柑橘 品质分级 绵阳地方品种",
    "科技城 标准化服务 机构评价规范",
    "电子信息产品 绿色设计 评价要求",
    "射频识别 读写器 性能测试方法",
    "显示面板 生产车间 能效评价",
    "高校 科技成果 标准化转化 指南",
    "食品快速检测 试剂盒 评价规范",
    "计量测试 服务平台 数据接口规范",
    "电连接器 盐雾试验 加速方法",
    "民用无人机 电磁兼容 测试方法",
    "新型显示 材料 有害物质限量",
    "智能制造 车间数据 采集规范",
]

#: The cooperation organisation's members: (Chinese, English, region).
INSTITUTES = [
    ("四川省标准化研究院", "Sichuan Institute of Standardization", "510000"),
    ("重庆市标准化研究院", "Chongqing Institute of Standardization", "500000"),
    ("陕西省标准化研究院", "Shaanxi Institute of Standardization", "610000"),
    ("甘肃省标准化研究院", "Gansu Institute of Standardization", "620000"),
    ("青海省标准化研究院", "Qinghai Institute of Standardization", "630000"),
    ("宁夏回族自治区标准化研究院", "Ningxia Institute of Standardization", "640000"),
    ("新疆维吾尔自治区标准化研究院", "Xinjiang Institute of Standardization", "650000"),
    ("云南省标准化研究院", "Yunnan Institute of Standardization", "530000"),
    ("贵州省标准化研究院", "Guizhou Institute of Standardization", "520000"),
    (
        "广西壮族自治区标准技术研究院",
        "Guangxi Institute of Standards and Technology",
        "450000",
    ),
    ("内蒙古自治区标准化院", "Inner Mongolia Institute of Standardization", "150000"),
]

COOPERATION = (
    "西部标准化合作组织",
    "Western Standardization Cooperation Organisation",
)


def _organisation(name_zh: str, name_en: str, kind: str, region: str) -> Organisation:
    found = services.organisation_match(name=name_zh)
    if found is not None:
        return found
    return services.organisation_create(
        actor=None, kind=kind, name_zh=name_zh, name_en=name_en, region=region
    )


def _network(name_zh: str, name_en: str, **fields) -> Network:
    found = Network.objects.filter(name_zh=name_zh).first()
    if found is not None:
        return found
    return services.network_create(
        actor=None, name_zh=name_zh, name_en=name_en, **fields
    )


def _join(network: Network, org: Organisation, day: datetime.date, **liaison) -> None:
    if not NetworkMember.objects.filter(network=network, organisation=org).exists():
        services.network_member_join(
            actor=None, network=network, organisation=org, joined_on=day, **liaison
        )


def _designate(org: Organisation, kind: str, **fields) -> None:
    if not Designation.objects.filter(
        organisation=org, kind=kind, number=fields.get("number", "")
    ).exists():
        services.designation_add(actor=None, organisation=org, kind=kind, **fields)


def _centre(authorities: dict[str, Organisation]) -> tuple[Network, list]:
    host = _organisation(*CENTRE, Kind.STANDARDIZATION_INSTITUTE, "510700")
    centre = _network(
        *CENTRE,
        kind=Network.Kind.INNOVATION_CENTRE,
        organisation=host,
        region="510700",
        founded_on=datetime.date(2021, 6, 18),
        description=(
            "区域标准创新中心，由科研院所、企业、高校和军工科研单位共建，"
            "开展标准研制、验证与推广。"
        ),
    )
    units = []
    for i, (zh, en, kind, region) in enumerate(UNITS):
        org = _organisation(zh, en, kind, region)
        units.append(org)
        _join(
            centre, org, datetime.date(2021, 6, 18), liaison_name=f"联络员{i + 1:02d}"
        )
        _designate(
            org,
            Designation.Kind.CO_CONSTRUCTION_UNIT,
            network=centre,
            issuing_authority=authorities["510700"],
            number=f"MYBC-2021-{i + 1:03d}",
            valid_from=datetime.date(2021, 6, 18),
            expires_on=datetime.date(2027, 6, 18),
        )
    if not SecretariatTerm.objects.filter(network=centre).exists():
        services.secretariat_assign(
            actor=None,
            network=centre,
            organisation=units[14],  # the university hosts the office
            starts_on=datetime.date(2021, 6, 18),
        )
    # Titles some units hold (Jilin-style plans count them).
    for org, number in (
        (units[7], "SC-CXJL-2023-015"),
        (units[10], "SC-CXJL-2024-031"),
    ):
        _designate(
            org,
            Designation.Kind.HONEST_MEASUREMENT,
            issuing_authority=authorities["510000"],
            number=number,
            valid_from=datetime.date(int(number.split("-")[2]), 3, 1),
            expires_on=datetime.date(int(number.split("-")[2]) + 3, 3, 1),
        )
    _designate(
        units[18],
        Designation.Kind.INDUSTRIAL_MEASUREMENT_CENTRE,
        issuing_authority=authorities["510000"],
        number="SC-CYJL-2022-002",
        valid_from=datetime.date(2022, 9, 1),
    )
    _designate(
        units[8],
        Designation.Kind.STANDARD_INNOVATION_ENTERPRISE,
        issuing_authority=authorities["510000"],
        number="SC-BZCX-2024-008",
        valid_from=datetime.date(2024, 5, 20),
        expires_on=datetime.date(2027, 5, 20),
    )
    return centre, units


def _group_standards() -> None:
    from qihub.catalog import services as catalog_services
    from qihub.catalog.models import Standard

    have = Standard.objects.filter(level=Standard.Level.GROUP, referenced_only=False)
    missing = DRAFTED["group"] - have.count()
    for i, title in enumerate(GROUP_TITLES):
        if missing <= 0:
            break
        identifier = f"T/MYKJ {i + 1:03d}-{2022 + i % 4}"
        if Standard.objects.filter(identifier=identifier).exists():
            continue
        year = 2022 + i % 4
        catalog_services.standard_create(
            actor=None,
            identifier=identifier,
            title_zh=title,
            issued_on=datetime.date(year, 3 + i % 9, 10),
            implemented_on=datetime.date(year, 4 + i % 9, 10),
            issuing_body="绵阳市标准化协会",
        )
        missing -= 1


def _drafting(units: list[Organisation]) -> None:
    """Spread the standards over the units, a lead unit and one or two
    co-drafters each, so every unit and the centre's totals have output."""
    from qihub.catalog import services as catalog_services
    from qihub.catalog.models import Standard

    n = 0
    for level, count in DRAFTED.items():
        standards = Standard.objects.filter(
            level=level, referenced_only=False
        ).order_by("identifier")[:count]
        for standard in standards:
            lead = units[n % len(units)]
            co = units[(n * 7 + 3) % len(units)]
            drafters = [lead] if co == lead else [lead, co]
            if n % 3 == 0:
                drafters.append(units[(n * 11 + 5) % len(units)])
            catalog_services.standard_set_drafting_units(
                standard=standard, organisations=drafters, actor=None
            )
            n += 1


def _cooperation(authorities: dict[str, Organisation]) -> Network:
    members = [
        _organisation(zh, en, Kind.STANDARDIZATION_INSTITUTE, region)
        for zh, en, region in INSTITUTES
    ]
    network = _network(
        *COOPERATION,
        kind=Network.Kind.COOPERATION,
        organisation=members[0],
        founded_on=datetime.date(2019, 4, 25),
        description=(
            "西部十省区市及新疆生产建设兵团标准化研究机构共建共享标准资源、"
            "交流标准信息、互补标准服务的合作组织（“10+1”）。"
        ),
    )
    for i, org in enumerate(members):
        _join(
            network, org, datetime.date(2019, 4, 25), liaison_name=f"联络人{i + 1:02d}"
        )
    if not SecretariatTerm.objects.filter(network=network).exists():
        services.secretariat_assign(
            actor=None,
            network=network,
            organisation=members[0],
            starts_on=datetime.date(2019, 4, 25),
            note="第一届秘书处",
        )
        services.secretariat_assign(
            actor=None,
            network=network,
            organisation=members[2],
            starts_on=datetime.date(2023, 4, 25),
            note="第二届秘书处由陕西省标准化研究院承担",
        )
    if not Meeting.objects.filter(network=network).exists():
        services.meeting_record(
            actor=None,
            network=network,
            held_on=datetime.date(2024, 9, 12),
            title="西部标准化合作组织2024年度工作会议",
            place="西安",
            minutes="各成员单位交流年度标准化工作进展，审议合作项目清单。",
            decisions=(
                "一、共建西部标准信息共享平台；二、联合采购国外标准文本；"
                "三、2025年联合开展特色农产品标准研究。"
            ),
        )
    if not Announcement.objects.filter(network=network).exists():
        services.announcement_publish(
            actor=None,
            network=network,
            title="关于征集2025年联合研究项目的通知",
            body="请各成员单位于2025年3月31日前报送联合研究项目建议。",
        )
    return network


def load(stdout=None) -> None:
    authorities = {
        region: _organisation(zh, en, Kind.GOVERNMENT, region)
        for zh, en, region in AUTHORITIES
    }
    _centre_network, units = _centre(authorities)
    _group_standards()
    _drafting(units)
    cooperation = _cooperation(authorities)
    if stdout:
        stdout.write(
            f"organisations: {Organisation.objects.count()} organisations; "
            f"centre with {len(units)} co-construction units; "
            f"{cooperation.name_zh} with {len(INSTITUTES)} members"
        )
