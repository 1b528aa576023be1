import datetime

import pytest
from django.utils import timezone

from qihub.catalog.models import StandardDraftingUnit
from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError
from qihub.declarations.models import Declaration, Enterprise
from qihub.organisations import services as org_services
from qihub.programmes import indicators

DAY = datetime.date(2026, 6, 30)


def _org(name, region):
    org, _ = org_services.organisation_find_or_create(
        actor=None, name=name, kind="enterprise", region=region
    )
    return org


@pytest.fixture
def data(db):
    cc1 = _org("长春甲公司", "220102")
    cc2 = _org("长春乙公司", "220103")
    jl = _org("吉林市丙公司", "220202")
    sz = _org("深圳丁公司", "440305")
    shared = StandardFactory(
        identifier="GB/T 50001-2025", issued_on=datetime.date(2025, 5, 1)
    )
    later = StandardFactory(
        identifier="GB/T 50002-2026", issued_on=datetime.date(2026, 9, 1)
    )
    group = StandardFactory(
        identifier="T/JL 1-2024", level="group", issued_on=datetime.date(2024, 1, 1)
    )
    for pos, org in enumerate([cc1, cc2, jl], start=1):  # co-drafted: counts once
        StandardDraftingUnit.objects.create(
            standard=shared, organisation=org, position=pos
        )
    StandardDraftingUnit.objects.create(standard=later, organisation=cc1, position=1)
    StandardDraftingUnit.objects.create(standard=group, organisation=sz, position=1)
    now = timezone.now()
    for org, n in ((cc1, 2), (jl, 1), (sz, 3)):
        ent = Enterprise.objects.create(organisation=org, industry="电子")
        for i in range(n):
            Declaration.objects.create(
                enterprise=ent,
                status="published",
                region=org.region_id,
                product_name=f"p{i}",
                published_at=now - datetime.timedelta(days=400),
            )
    return {"cc1": cc1}


def test_grouped_values_match_one_by_one(data):
    scopes = [
        indicators.scope_for(k)
        for k in ("220000", "220100", "220200", "440300", "110000")
    ]
    for slug in (
        "standards_drafted_national",
        "standards_drafted_group",
        "group_standards_in_force",
        "self_declarations_published",
        "verification_coverage",
    ):
        many = indicators.values_for(slug, scopes, DAY)
        one = {sc.key: indicators.get(slug).value(sc, DAY) for sc in scopes}
        assert many == one, slug
    national = indicators.values_for("standards_drafted_national", scopes, DAY)
    assert national == {"220000": 1, "220100": 1, "220200": 1, "440300": 0, "110000": 0}
    decl = indicators.values_for("self_declarations_published", scopes, DAY)
    assert decl == {"220000": 3, "220100": 2, "220200": 1, "440300": 3, "110000": 0}
    # the standard issued later counts from its issue date
    assert (
        indicators.get("standards_drafted_national").value(
            scopes[1], datetime.date(2026, 10, 1)
        )
        == 2
    )


def test_org_scope(data):
    sc = indicators.scope_for(f"org:{data['cc1'].pk}")
    assert indicators.get("self_declarations_published").value(sc, DAY) == 2
    assert indicators.get("verification_coverage").value(sc, DAY) is None


def test_unknown_scope_and_slug_refused(db):
    with pytest.raises(ApplicationError, match="region: '999999' is not a GB/T 2260"):
        indicators.scope_for("999999")
    with pytest.raises(ApplicationError, match="no network"):
        indicators.scope_for("network:12345")
    with pytest.raises(ApplicationError, match="there is no indicator 'x'"):
        indicators.get("x")


def test_every_indicator_has_names_unit_definition():
    for ind in indicators.REGISTRY.values():
        assert ind.name_zh
        assert ind.name_en
        assert ind.unit
        assert len(ind.definition) > 20


def test_international_projects_are_counted_from_the_international_app(db):
    from qihub.international import services as international

    led = _org("长春国际标准甲公司", "220102")
    partner = _org("吉林市国际标准乙公司", "220202")
    other = _org("深圳国际标准丙公司", "440305")
    international.project_register(
        actor=None,
        reference="ISO/NP 99001",
        stage="10.99",
        leading_organisation=led,
        participants=[partner, other],
        proposed_on=datetime.date(2026, 3, 1),
    )
    international.project_register(
        actor=None,
        reference="ISO/NP 99002",
        stage="20.00",
        leading_organisation=other,
        participants=[partner],
        proposed_on=datetime.date(2026, 9, 1),  # after DAY
    )
    jilin = indicators.scope_for("220000")
    led_in = indicators.get("international_projects_led")
    part = indicators.get("international_projects_taken_part")
    assert not led_in.reported
    assert led_in.value(jilin, DAY) == 1
    assert part.value(jilin, DAY) == 1
    assert part.value(jilin, datetime.date(2026, 12, 1)) == 2
    assert part.value(indicators.scope_for(f"org:{other.pk}"), DAY) == 1
    assert led_in.value(indicators.scope_for("440000"), DAY) == 0
