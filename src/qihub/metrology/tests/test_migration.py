"""The data migration to organisations keeps every laboratory and instrument
and points each to the right organisation (issue 14)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from qihub.metrology.models import Instrument, Laboratory
from qihub.organisations.models import Designation, Organisation, Region
from qihub.organisations.names import name_key, search_tokens
from qihub.organisations.regions import regions_load

BEFORE = [("metrology", "0004_instrument_retired")]


def _migrate(targets):
    """Migrate to ``targets``; the models as they are then, with the
    organisations' as they are now (that app is not migrated back)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    state = [*targets, *executor.loader.graph.leaf_nodes("organisations")]
    return executor.loader.project_state(state).apps


@pytest.mark.django_db(transaction=True)
def test_laboratories_and_instruments_point_to_organisations():
    if not Region.objects.exists():
        regions_load()  # a transactional test flushed what the migration loaded
    old = _migrate(BEFORE)
    OldLab = old.get_model("metrology", "Laboratory")
    OldInstrument = old.get_model("metrology", "Instrument")
    OldOrganisation = old.get_model("organisations", "Organisation")

    def existing(name: str, kind: str) -> int:
        return OldOrganisation.objects.create(
            name_zh=name,
            name_key=name_key(name),
            search_text=" ".join(search_tokens(name)),
            kind=kind,
        ).pk

    hospital = existing("长春市第一医院", "enterprise")
    siping = existing("四平市计量检定测试所", "research_institute")
    labs = {
        # accredited, region named in full
        "JLIM": ("吉林省计量科学研究院", "长春市", "CNAS L0262"),
        # not accredited, region in its short form
        "NIM": ("National Institute of Metrology", "北京", ""),
        # already registered (by name), region of a prefecture in short form
        "SP": ("四平市计量检定测试所", "四平", "CNAS L1234"),
        # a region text that names no division
        "X": ("边境计量站", "口岸检查区", ""),
    }
    for code, (name, region, number) in labs.items():
        OldLab.objects.create(
            code=code, name=name, region=region, accreditation_number=number
        )
    owners = {
        "I-1": "长春市第一医院",  # the registered organisation
        "I-2": "长春市（红旗）菜市场",  # two spellings of one name ...
        "I-3": " 长春市(红旗)菜市场",  # ... one organisation
        "I-4": "",  # no owner recorded
        "I-5": "Jilin Petrochemical Station",
        "I-6": "长春市（红旗）菜市场",  # the most common spelling names it
    }
    for code, owner in owners.items():
        OldInstrument.objects.create(
            code=code,
            name=f"instrument {code}",
            owner=owner,
            owner_email=f"{code.lower()}@example.cn",
            region="长春市",
            use="trade",
            quantity="mass",
            unit="kg",
            registered_on=datetime.date(2025, 1, 1),
        )

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert Laboratory.objects.count() == len(labs)
    assert Instrument.objects.count() == len(owners)
    by_code = {
        lab.code: lab for lab in Laboratory.objects.select_related("organisation")
    }
    jlim = by_code["JLIM"].organisation
    assert (jlim.name, jlim.kind, jlim.region_id) == (
        "吉林省计量科学研究院",
        "calibration_lab",
        "220100",
    )
    assert by_code["NIM"].organisation.name_en == "National Institute of Metrology"
    assert by_code["NIM"].organisation.region_id == "110000"
    # matched, not duplicated; its kind is kept and its missing region filled in
    assert by_code["SP"].organisation_id == siping
    assert by_code["SP"].organisation.kind == "research_institute"
    assert by_code["SP"].organisation.region_id == "220300"
    # the unknown region text stays readable
    x = by_code["X"].organisation
    assert (x.region_id, x.address) == (None, "口岸检查区")
    # every lab keeps its own code, name and number
    for code, (name, _region, number) in labs.items():
        assert (by_code[code].name, by_code[code].accreditation_number) == (
            name,
            number,
        )

    # an accreditation number makes an accredited body, issued by CNAS, from
    # the day the lab was registered
    designations = Designation.objects.filter(kind="accredited_body")
    assert sorted(designations.values_list("organisation_id", "number")) == sorted(
        [(jlim.pk, "CNAS L0262"), (siping, "CNAS L1234")]
    )
    cnas = Organisation.objects.get(
        name_key=name_key("中国合格评定国家认可委员会 (CNAS)")
    )
    assert cnas.kind == "government"
    first = designations.get(number="CNAS L0262")
    assert first.issuing_authority_id == cnas.pk
    assert first.valid_from == timezone.localdate(by_code["JLIM"].created_at)
    assert first.valid_on(timezone.localdate())

    inst = {
        i.code: i for i in Instrument.objects.select_related("owner").order_by("code")
    }
    assert inst["I-1"].owner_id == hospital
    assert inst["I-2"].owner_id == inst["I-3"].owner_id == inst["I-6"].owner_id
    assert inst["I-2"].owner_id is not None
    market = inst["I-2"].owner
    assert (market.name_zh, market.kind) == ("长春市（红旗）菜市场", "enterprise")
    assert inst["I-4"].owner is None
    assert inst["I-5"].owner.name_en == "Jilin Petrochemical Station"
    for code, i in inst.items():
        # nothing else changed; the region of use stays as it was
        assert (i.name, i.owner_email, i.region) == (
            f"instrument {code}",
            f"{code.lower()}@example.cn",
            "长春市",
        )
    assert Organisation.objects.filter(name_key=name_key("长春市第一医院")).count() == 1
    # every created organisation has its history
    created = Organisation.objects.exclude(pk__in=[hospital, siping])
    assert created.count() == 6  # 3 labs' + CNAS + 2 owners
    assert all(org.events.filter(type="created").exists() for org in created)


@pytest.mark.django_db(transaction=True)
def test_the_migration_reverses_to_the_text():
    if not Region.objects.exists():
        regions_load()
    old = _migrate(BEFORE)
    old.get_model("metrology", "Laboratory").objects.create(
        code="JLIM", name="吉林省计量科学研究院", region="长春市"
    )
    old.get_model("metrology", "Instrument").objects.create(
        code="I-1",
        name="scale",
        owner="长春市（红旗）菜市场",
        use="trade",
        quantity="mass",
        unit="kg",
        registered_on=datetime.date(2025, 1, 1),
    )
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(leaves)
    back = _migrate(BEFORE)
    lab = back.get_model("metrology", "Laboratory").objects.get()
    instrument = back.get_model("metrology", "Instrument").objects.get()
    assert (lab.region, instrument.owner) == ("长春市", "长春市（红旗）菜市场")
    _migrate(leaves)
