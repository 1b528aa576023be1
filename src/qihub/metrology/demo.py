"""Demo data: a small Jilin metrology registry with traceability chains.

National primary standards at NIM; provincial social public standards at the
Jilin institute; city working standards; compulsory-verification instruments
across several regions; chains of three to four links with GTC archives; one
revoked certificate with its suspects; both DCC samples imported.
"""

import datetime
import random
from pathlib import Path

from django.conf import settings

from qihub.metrology import services
from qihub.metrology.models import (
    CompulsoryItem,
    Laboratory,
    MeasurementStandard,
    Use,
)
from qihub.organisations import services as org_services
from qihub.organisations.models import Organisation

TODAY = datetime.date.today()  # noqa: DTZ011 (demo dates relative to the local day)
REGIONS = ["长春市", "吉林市", "四平市", "延边州", "通化市"]
#: Their GB/T 2260 codes: the region of the organisations of the demo.
REGION_CODES = {
    "长春市": "220100",
    "吉林市": "220200",
    "四平市": "220300",
    "延边州": "222400",
    "通化市": "220500",
}
UNTIL = datetime.date(TODAY.year + 3, 12, 31)

# quantity: (unit, primary U, provincial U/mpe, working U/mpe, type, use, inst mpe, range)
CHAINS = {
    "pressure": (
        "kPa",
        0.0005,
        (0.005, 0.03),
        (0.02, 0.1),
        "CV-04",
        Use.HEALTH,
        0.5,
        (0, 40),
    ),
    "mass": (
        "kg",
        0.00001,
        (0.0002, 0.001),
        (0.001, 0.005),
        "CV-02",
        Use.TRADE,
        0.01,
        (0, 30),
    ),
    "volume": (
        "L",
        0.0001,
        (0.001, 0.005),
        (0.004, 0.02),
        "CV-03",
        Use.TRADE,
        0.1,
        (0, 100),
    ),
    "temperature": (
        "degC",
        0.001,
        (0.01, 0.05),
        (0.02, 0.1),
        "CV-11",
        Use.HEALTH,
        0.2,
        (35, 42),
    ),
}
NAMES = {
    "pressure": (
        "活塞式压力计基准",
        "活塞式压力计标准装置",
        "数字压力计标准装置",
        "电子血压计",
    ),
    "mass": ("千克质量基准", "E1等级砝码标准装置", "F1等级砝码标准装置", "电子计价秤"),
    "volume": (
        "容量基准装置",
        "标准金属量器标准装置",
        "燃油加油机检定装置",
        "燃油加油机",
    ),
    "temperature": (
        "温度基准",
        "标准铂电阻温度计标准装置",
        "恒温槽标准装置",
        "医用体温计",
    ),
}


def _organisation(name: str, kind: str, region: str | None = None) -> Organisation:
    """The demo's parties, through the registry (matched when already there)."""
    org, _created = org_services.organisation_find_or_create(
        actor=None, name=name, kind=kind, region=region
    )
    return org


def load(stdout=None) -> None:
    """Load the demo registry once (skipped when it is already there)."""
    if Laboratory.objects.filter(code="JLIM").exists():
        return
    rng = random.Random(6)  # noqa: S311 (demo data, not security)
    services.compulsory_catalogue_load()
    long = {"valid_until": UNTIL}
    nim = services.laboratory_create(
        actor=None,
        code="NIM",
        name="中国计量科学研究院",
        organisation=_organisation(
            "中国计量科学研究院", Organisation.Kind.RESEARCH_INSTITUTE, "110000"
        ),
        accreditation_number="CNAS L0001",
        scopes=[
            dict(quantity="pressure", range_min=0, range_max=100, unit="MPa", **long),
            dict(quantity="mass", range_min=0, range_max=1000, unit="kg", **long),
            dict(quantity="volume", range_min=0, range_max=10000, unit="L", **long),
            dict(
                quantity="temperature",
                range_min=-200,
                range_max=1000,
                unit="degC",
                **long,
            ),
        ],
    )
    jlim = services.laboratory_create(
        actor=None,
        code="JLIM",
        name="吉林省计量科学研究院",
        organisation=_organisation(
            "吉林省计量科学研究院", Organisation.Kind.CALIBRATION_LAB, "220100"
        ),
        accreditation_number="CNAS L0262",
        email="jlim@example.cn",
        scopes=[
            dict(quantity="pressure", range_min=0, range_max=6000, unit="kPa", **long),
            dict(quantity="mass", range_min=0, range_max=500, unit="kg", **long),
            dict(quantity="volume", range_min=0, range_max=2000, unit="L", **long),
            dict(
                quantity="temperature",
                range_min=-80,
                range_max=300,
                unit="degC",
                **long,
            ),
        ],
    )
    city_labs = {}
    for i, region in enumerate(REGIONS):
        city_labs[region] = services.laboratory_create(
            actor=None,
            code=f"JL-C{i + 1:02d}",
            name=f"{region}计量检定测试所",
            organisation=_organisation(
                f"{region}计量检定测试所",
                Organisation.Kind.CALIBRATION_LAB,
                REGION_CODES[region],
            ),
            scopes=[
                dict(
                    quantity="pressure", range_min=0, range_max=100, unit="kPa", **long
                ),
                dict(quantity="mass", range_min=0, range_max=60, unit="kg", **long),
                dict(quantity="volume", range_min=0, range_max=200, unit="L", **long),
                dict(
                    quantity="temperature",
                    range_min=0,
                    range_max=100,
                    unit="degC",
                    **long,
                ),
            ],
        )
    specs = {}
    for ident, title, qty in [
        ("JJG 270-2008", "血压计和血压表", "pressure"),
        ("JJG 1070-2011", "电子计价秤", "mass"),
        ("JJG 443-2015", "燃油加油机", "volume"),
        ("JJG 111-2019", "玻璃体温计", "temperature"),
        ("JJF(吉) 101-2022", "电子血压计现场校准规范（示例）", "pressure"),
        ("JJF(吉) 102-2023", "出租汽车计价器动态检测校准规范（示例）", "length"),
    ]:
        specs[ident] = services.specification_register(
            actor=None, identifier=ident, title_zh=title, quantity=qty
        )
    services.reference_material_register(
        actor=None,
        number="GBW 08615",
        name="水中乙醇溶液标准物质（示例）",
        producer="中国计量科学研究院",
        valid_until=UNTIL,
        properties=[
            {
                "name": "乙醇质量浓度",
                "value": 0.800,
                "unit": "mg/mL",
                "uncertainty": 0.008,
            }
        ],
    )
    services.reference_material_register(
        actor=None,
        number="GBW(E) 081234",
        name="呼出气体酒精检测仪用乙醇气体标准物质（示例）",
        producer="吉林省计量科学研究院",
        valid_until=UNTIL,
        properties=[
            {"name": "乙醇浓度", "value": 0.20, "unit": "mg/L", "uncertainty": 0.004}
        ],
    )
    n_cert = 0

    def cert(prefix: str) -> str:
        nonlocal n_cert
        n_cert += 1
        return f"{prefix}-{TODAY.year}-{n_cert:05d}"

    revoked = None
    for qty, (unit, u0, prov, work, type_code, use, mpe, rng_) in CHAINS.items():
        names = NAMES[qty]
        primary = services.standard_register(
            actor=None,
            code=f"NIM-{qty.upper()}-01",
            name=names[0],
            kind=MeasurementStandard.Kind.NATIONAL_PRIMARY,
            quantity=qty,
            unit=unit,
            uncertainty=u0,
            holder=nim,
        )
        provincial = services.standard_register(
            actor=None,
            code=f"JL-{qty.upper()}-P01",
            name=names[1],
            quantity=qty,
            unit=unit,
            uncertainty=prov[0],
            mpe=prov[1],
            range_min=rng_[0],
            range_max=rng_[1] * 10,
            holder=jlim,
            region="长春市",
            assessment_certificate=f"[{TODAY.year - 2}]吉量标证字第{rng.randint(100, 999)}号",
            assessed_on=TODAY.replace(year=TODAY.year - 2),
        )
        services.calibration_record(
            actor=None,
            certificate_number=cert("NIM"),
            laboratory=nim,
            calibrated_standard=provincial,
            reference_standard=primary,
            performed_on=TODAY - datetime.timedelta(days=200),
            valid_until=TODAY + datetime.timedelta(days=530),
            measured_error=prov[0] / 10,
            expanded_uncertainty=prov[0],
        )
        item_type = CompulsoryItem.objects.get(code=type_code)
        for region in REGIONS:
            lab = city_labs[region]
            working = services.standard_register(
                actor=None,
                code=f"JL-{qty.upper()}-{lab.code[-3:]}",
                name=f"{region}{names[2]}",
                quantity=qty,
                unit=unit,
                uncertainty=work[0],
                mpe=work[1],
                range_min=rng_[0],
                range_max=rng_[1],
                holder=lab,
                region=region,
                assessed_on=TODAY.replace(year=TODAY.year - 1),
            )
            working_cert = services.calibration_record(
                actor=None,
                certificate_number=cert("JLIM"),
                laboratory=jlim,
                calibrated_standard=working,
                reference_standard=provincial,
                performed_on=TODAY - datetime.timedelta(days=120),
                valid_until=TODAY + datetime.timedelta(days=245),
                measured_error=work[0] / 5,
                expanded_uncertainty=work[0],
            )
            if qty == "pressure" and region == "四平市":
                revoked = working_cert
            for k in range(3):
                code = f"{lab.code}-{qty[:3].upper()}-{k + 1:03d}"
                inst = services.instrument_register(
                    actor=None,
                    code=code,
                    name=names[3],
                    item_type=item_type,
                    use=use,
                    quantity=qty,
                    unit=unit,
                    range_min=rng_[0],
                    range_max=rng_[1],
                    mpe=mpe,
                    maker=rng.choice(
                        ["欧姆龙", "鱼跃", "上海友声", "正星科技", "长春仪表厂"]
                    ),
                    model=f"M{rng.randint(100, 999)}",
                    serial=f"SN{rng.randint(100000, 999999)}",
                    owner=_organisation(
                        f"{region}{rng.choice(['第一医院', '中心市场', '石化加油站', '社区卫生服务中心'])}",
                        Organisation.Kind.ENTERPRISE,
                        REGION_CODES[region],
                    ),
                    owner_email=f"owner{rng.randint(1, 20)}@example.cn",
                    region=region,
                    location=f"{region}",
                    registered_on=TODAY - datetime.timedelta(days=500),
                )
                # the third instrument of some regions is overdue: coverage < 100 %
                age = 400 if k == 2 and region in ("延边州", "通化市") else 30 + 20 * k
                # last year's verification, so coverage has a history
                services.calibration_record(
                    actor=None,
                    certificate_number=cert(lab.code),
                    kind="verification",
                    laboratory=lab,
                    instrument=inst,
                    reference_standard=working,
                    specification=specs.get(item_type.regulation),
                    performed_on=TODAY - datetime.timedelta(days=age + 360),
                    valid_until=TODAY - datetime.timedelta(days=age - 5),
                    measured_error=round(rng.uniform(-mpe / 3, mpe / 3), 4),
                    expanded_uncertainty=round(work[0] * 1.5, 6),
                    conformity="pass",
                )
                services.calibration_record(
                    actor=None,
                    certificate_number=cert(lab.code),
                    kind="verification",
                    laboratory=lab,
                    instrument=inst,
                    reference_standard=working,
                    specification=specs.get(item_type.regulation),
                    performed_on=TODAY - datetime.timedelta(days=age),
                    valid_until=TODAY
                    - datetime.timedelta(days=age)
                    + datetime.timedelta(days=365),
                    measured_error=round(rng.uniform(-mpe / 3, mpe / 3), 4),
                    expanded_uncertainty=round(work[0] * 1.5, 6),
                    conformity="pass",
                )
    if revoked is not None:
        services.certificate_revoke(
            certificate=revoked,
            actor=None,
            reason="复核发现标准器示值超差（演示数据）",
        )
    dcc_dir = Path(settings.SHARED_DATA_DIR) / "dcc"
    for name in ("sample-temperature-simplified.xml", "sample-humidity.xml"):
        path = dcc_dir / name
        if path.is_file():
            services.dcc_import(data=path.read_bytes(), actor=None, filename=name)
    if stdout is not None:
        stdout.write(
            f"metrology: {MeasurementStandard.objects.count()} standards, "
            f"{n_cert} certificates, demo registry loaded\n"
        )
