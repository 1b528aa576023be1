"""The organisation services: issue 14's bad input refused naming the field
with nothing changed, renaming, regions from credit codes, secretariat
terms, leaving a network, designations that stop counting on their day."""

import datetime

import pytest

from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.organisations import selectors, services
from qihub.organisations.models import (
    Designation,
    Membership,
    Network,
    Organisation,
    OrganisationEvent,
    SecretariatTerm,
)
from qihub.organisations.tests.conftest import CHENGDU, MIANYANG

DAY = datetime.date(2026, 3, 1)


def _counts() -> tuple[int, int, int, int]:
    return (
        Organisation.objects.count(),
        Designation.objects.count(),
        Membership.objects.count(),
        OrganisationEvent.objects.count(),
    )


def _refused(exc_info, field: str, *words: str) -> None:
    exc = exc_info.value
    assert field in exc.details, exc.details
    for word in words:
        assert word in exc.message


# -- registering --------------------------------------------------------------


def test_register_derives_region_from_credit_code(db):
    org = services.organisation_create(
        actor=None,
        kind="enterprise",
        name_zh="四川九洲电器集团有限责任公司",
        credit_code=MIANYANG.lower(),
    )
    assert org.credit_code == MIANYANG
    assert org.region.code == "510700"
    assert org.region.name_zh == "绵阳市"
    assert org.region.parent.code == "510000"
    assert OrganisationEvent.objects.filter(
        organisation=org, type=OrganisationEvent.Type.CREATED
    ).exists()


def test_explicit_region_wins_over_credit_code(db):
    org = services.organisation_create(
        actor=None,
        kind="enterprise",
        name_zh="绵阳某公司成都分公司",
        credit_code=MIANYANG,
        region="510100",
    )
    assert org.region.code == "510100"


def test_invalid_credit_code_refused_naming_field(db):
    before = _counts()
    bad = MIANYANG[:17] + ("0" if MIANYANG[17] != "0" else "1")
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(
            actor=None, kind="enterprise", name_zh="某公司", credit_code=bad
        )
    _refused(exc_info, "credit_code", "check character")
    assert _counts() == before


def test_short_credit_code_refused(db):
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(
            actor=None, kind="enterprise", name_zh="某公司", credit_code="91510700"
        )
    _refused(exc_info, "credit_code", "18 characters")
    assert not Organisation.objects.exists()


def test_unknown_region_refused_naming_field(db):
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(
            actor=None, kind="enterprise", name_zh="某公司", region="519999"
        )
    _refused(exc_info, "region", "519999", "GB/T 2260")
    assert not Organisation.objects.exists()


def test_foreign_body_needs_no_credit_code_and_may_not_have_one(db):
    iso = services.organisation_create(
        actor=None,
        kind="international",
        name_en="International Organization for Standardization",
    )
    assert iso.credit_code == ""
    assert iso.region is None
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(
            actor=None, kind="international", name_en="IEC", credit_code=MIANYANG
        )
    _refused(exc_info, "credit_code", "foreign")


def test_duplicate_credit_code_refused(make_org):
    first = make_org("绵阳市产品质量监督检验所", credit_code=MIANYANG)
    before = _counts()
    with pytest.raises(Conflict) as exc_info:
        make_org("另一个名称的单位", credit_code=MIANYANG)
    _refused(exc_info, "credit_code", MIANYANG, first.name)
    assert exc_info.value.status == 409
    assert _counts() == before


def test_duplicate_name_in_another_spelling_refused(make_org):
    first = make_org("四川省（绵阳）科技有限公司")
    before = _counts()
    with pytest.raises(Conflict) as exc_info:
        make_org(" 四川省(绵阳)科技有限公司 ")
    _refused(exc_info, "name_zh", first.name)
    make_org("Sichuan Institute, Co. Ltd")
    with pytest.raises(Conflict):
        make_org("sichuan institute co ltd")
    assert Organisation.objects.count() == before[0] + 1


def test_blank_name_and_unknown_kind_refused(db):
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(actor=None, kind="enterprise")
    _refused(exc_info, "name_zh")
    with pytest.raises(ApplicationError) as exc_info:
        services.organisation_create(actor=None, kind="shop", name_zh="某店")
    _refused(exc_info, "kind", "shop")
    assert not Organisation.objects.exists()


def test_only_staff_register(make_org, plain_user, staff_user):
    with pytest.raises(PermissionDenied):
        services.organisation_create(actor=plain_user, kind="enterprise", name_zh="甲")
    org = services.organisation_create(
        actor=staff_user, kind="enterprise", name_zh="甲"
    )
    assert org.events.get().actor == staff_user


# -- changing -----------------------------------------------------------------


def test_rename_keeps_former_name_found_by_search(make_org):
    org = make_org("绵阳市标准化研究所", kind="standardization_institute")
    org = services.organisation_update(
        actor=None, organisation=org, name_zh="绵阳市标准化研究院", reason="更名"
    )
    assert org.former_names == ["绵阳市标准化研究所"]
    event = org.events.get(type=OrganisationEvent.Type.RENAMED)
    assert event.details["name_zh"] == ["绵阳市标准化研究所", "绵阳市标准化研究院"]
    assert event.reason == "更名"
    assert list(selectors.organisation_search(q="研究所")) == [org]
    assert list(selectors.organisation_search(q="研究院")) == [org]
    assert services.organisation_match(name="绵阳市标准化研究所") == org


def test_update_refusals_change_nothing(make_org):
    other = make_org("成都某公司", credit_code=CHENGDU)
    org = make_org("绵阳某公司", credit_code=MIANYANG)
    before = _counts()
    attempts = [
        ({"credit_code": "91510700MA62L3XK00"}, "credit_code"),
        ({"credit_code": CHENGDU}, "credit_code"),
        ({"name_zh": "成都某公司"}, "name_zh"),
        ({"region": "000001"}, "region"),
        ({"contact_email": "not-mail"}, "contact_email"),
        ({"website": "ftp://x.example"}, "website"),
    ]
    for changes, field in attempts:
        with pytest.raises(ApplicationError) as exc_info:
            services.organisation_update(actor=None, organisation=org, **changes)
        assert field in exc_info.value.details, (changes, exc_info.value.details)
    assert _counts() == before
    org.refresh_from_db()
    assert org.name_zh == "绵阳某公司"
    assert org.credit_code == MIANYANG
    assert other.credit_code == CHENGDU


def test_administrator_updates_own_organisation_only(make_org, plain_user):
    org = make_org("绵阳某公司")
    other = make_org("成都某公司")
    services.membership_add(
        actor=None, organisation=org, user=plain_user, role="administrator"
    )
    services.organisation_update(
        actor=plain_user, organisation=org, address="绵阳市涪城区"
    )
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=plain_user, organisation=other, address="x")


# -- designations -------------------------------------------------------------


def test_designation_ending_before_it_starts_refused(make_org):
    org = make_org("吉林某计量器具公司")
    before = _counts()
    for end in (DAY, DAY - datetime.timedelta(days=1)):
        with pytest.raises(ApplicationError) as exc_info:
            services.designation_add(
                actor=None,
                organisation=org,
                kind=Designation.Kind.HONEST_MEASUREMENT,
                valid_from=DAY,
                expires_on=end,
            )
        _refused(exc_info, "expires_on")
    assert _counts() == before


def test_designation_stops_counting_on_its_expiry_day(make_org):
    org = make_org("吉林某计量器具公司")
    authority = make_org("吉林省市场监督管理厅", kind="government")
    end = datetime.date(2029, 3, 1)
    d = services.designation_add(
        actor=None,
        organisation=org,
        kind=Designation.Kind.HONEST_MEASUREMENT,
        valid_from=DAY,
        expires_on=end,
        issuing_authority=authority,
        number="吉诚计〔2026〕1号",
    )
    day_before = end - datetime.timedelta(days=1)
    assert list(selectors.designations_valid_on(day_before)) == [d]
    assert list(selectors.designations_valid_on(end)) == []
    assert list(selectors.designations_valid_on(DAY - datetime.timedelta(1))) == []
    assert d.valid_on(day_before)
    assert not d.valid_on(end)
    found = selectors.organisation_search(
        designation="honest_measurement", on=day_before
    )
    assert list(found) == [org]
    assert not selectors.organisation_search(designation="honest_measurement", on=end)


def test_co_construction_unit_names_its_centre(make_org):
    org = make_org("中国工程物理研究院", kind="military_research")
    with pytest.raises(ApplicationError) as exc_info:
        services.designation_add(
            actor=None,
            organisation=org,
            kind=Designation.Kind.CO_CONSTRUCTION_UNIT,
            valid_from=DAY,
        )
    _refused(exc_info, "network")


def test_organisation_cannot_designate_itself(make_org):
    org = make_org("中国合格评定国家认可委员会", kind="government")
    with pytest.raises(ApplicationError) as exc_info:
        services.designation_add(
            actor=None,
            organisation=org,
            kind=Designation.Kind.ACCREDITED_BODY,
            valid_from=DAY,
            issuing_authority=org,
        )
    _refused(exc_info, "issuing_authority")


# -- users of an organisation -------------------------------------------------


def test_last_administrator_cannot_leave_or_be_demoted(
    make_org, plain_user, staff_user
):
    org = make_org("绵阳某公司")
    admin = services.membership_add(
        actor=None, organisation=org, user=plain_user, role="administrator"
    )
    before = _counts()
    with pytest.raises(ApplicationError) as exc_info:
        services.membership_remove(actor=None, membership=admin)
    _refused(exc_info, "user", "last administrator", plain_user.username)
    with pytest.raises(ApplicationError) as exc_info:
        services.membership_set_role(actor=None, membership=admin, role="member")
    _refused(exc_info, "user", "last administrator")
    assert _counts() == before
    admin.refresh_from_db()
    assert admin.role == "administrator"
    # With a second administrator, the first may step down and then leave.
    services.membership_add(
        actor=None, organisation=org, user=staff_user, role="administrator"
    )
    services.membership_set_role(actor=plain_user, membership=admin, role="member")
    services.membership_remove(actor=staff_user, membership=admin)
    assert list(org.memberships.values_list("user__username", flat=True)) == [
        staff_user.username
    ]


def test_membership_refusals(make_org, plain_user, enterprise_user):
    org = make_org("绵阳某公司")
    services.membership_add(actor=None, organisation=org, user=plain_user)
    with pytest.raises(Conflict) as exc_info:
        services.membership_add(actor=None, organisation=org, user=plain_user)
    _refused(exc_info, "user", plain_user.username)
    with pytest.raises(ApplicationError) as exc_info:
        services.membership_add(
            actor=None, organisation=org, user=enterprise_user, role="owner"
        )
    _refused(exc_info, "role", "owner")
    # A plain member manages nothing.
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=plain_user, organisation=org, user=enterprise_user
        )


# -- networks -----------------------------------------------------------------


@pytest.fixture
def cooperation(make_org):
    network = services.network_create(
        actor=None,
        kind=Network.Kind.COOPERATION,
        name_zh="西部标准化合作组织",
        founded_on=datetime.date(2020, 1, 1),
    )
    sichuan = make_org("四川省标准化研究院", kind="standardization_institute")
    shaanxi = make_org("陕西省标准化研究院", kind="standardization_institute")
    outsider = make_org("江苏省标准化研究院", kind="standardization_institute")
    joined = datetime.date(2020, 1, 1)
    for org in (sichuan, shaanxi):
        services.network_member_join(
            actor=None, network=network, organisation=org, joined_on=joined
        )
    return network, sichuan, shaanxi, outsider


def test_second_secretariat_term_ends_the_first(cooperation):
    network, sichuan, shaanxi, _outsider = cooperation
    first = services.secretariat_assign(
        actor=None,
        network=network,
        organisation=sichuan,
        starts_on=datetime.date(2020, 1, 1),
    )
    second_day = datetime.date(2023, 1, 1)
    second = services.secretariat_assign(
        actor=None, network=network, organisation=shaanxi, starts_on=second_day
    )
    first.refresh_from_db()
    assert first.ends_on == second_day
    assert second.ends_on is None
    assert selectors.secretariat_on(network, datetime.date(2022, 12, 31)) == first
    assert selectors.secretariat_on(network, second_day) == second
    assert list(selectors.secretariat_history(network)) == [first, second]
    # A term starting before the latest one is refused.
    with pytest.raises(ApplicationError) as exc_info:
        services.secretariat_assign(
            actor=None,
            network=network,
            organisation=sichuan,
            starts_on=datetime.date(2022, 6, 1),
        )
    _refused(exc_info, "starts_on")


def test_secretariat_holder_must_be_a_member(cooperation):
    network, _sichuan, _shaanxi, outsider = cooperation
    with pytest.raises(ApplicationError) as exc_info:
        services.secretariat_assign(
            actor=None, network=network, organisation=outsider, starts_on=DAY
        )
    _refused(exc_info, "organisation", outsider.name)
    assert not SecretariatTerm.objects.exists()


def test_leaving_ends_the_members_secretariat_term(cooperation):
    network, sichuan, shaanxi, _outsider = cooperation
    term = services.secretariat_assign(
        actor=None,
        network=network,
        organisation=sichuan,
        starts_on=datetime.date(2021, 1, 1),
    )
    member = network.members.get(organisation=sichuan)
    left = datetime.date(2025, 7, 1)
    services.network_member_leave(actor=None, member=member, left_on=left)
    term.refresh_from_db()
    assert term.ends_on == left
    assert [m.organisation for m in selectors.members_on(network, left)] == [shaanxi]
    assert sichuan in [
        m.organisation
        for m in selectors.members_on(network, left - datetime.timedelta(1))
    ]
    with pytest.raises(Conflict):
        services.network_member_leave(actor=None, member=member, left_on=left)


def test_network_refusals(cooperation, plain_user):
    network, sichuan, _shaanxi, _outsider = cooperation
    with pytest.raises(Conflict) as exc_info:
        services.network_member_join(
            actor=None, network=network, organisation=sichuan, joined_on=DAY
        )
    _refused(exc_info, "organisation", sichuan.name)
    member = network.members.get(organisation=sichuan)
    with pytest.raises(ApplicationError) as exc_info:
        services.network_member_leave(
            actor=None, member=member, left_on=datetime.date(2019, 1, 1)
        )
    _refused(exc_info, "left_on")
    with pytest.raises(ApplicationError) as exc_info:
        services.network_create(actor=None, kind="club", name_zh="某俱乐部")
    _refused(exc_info, "kind")
    with pytest.raises(ApplicationError) as exc_info:
        services.meeting_record(actor=None, network=network, held_on=DAY, title=" ")
    _refused(exc_info, "title")
    with pytest.raises(PermissionDenied):
        services.announcement_publish(actor=plain_user, network=network, title="通知")


def test_meeting_decisions_one_per_line(cooperation):
    network, *_ = cooperation
    meeting = services.meeting_record(
        actor=None,
        network=network,
        held_on=DAY,
        title="第二届理事会第一次会议",
        decisions="秘书处移交陕西\n\n 通过年度工作计划 ",
    )
    assert meeting.decision_list() == ["秘书处移交陕西", "通过年度工作计划"]


def test_credit_code_lookups_use_the_unique_index(make_org):
    """The unique index on credit codes is partial (codes are optional);
    SQLite used it only when the query repeats its condition, and without it
    every registration and match scanned the whole table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    make_org("成都某公司", credit_code=CHENGDU)
    with CaptureQueriesContext(connection) as queries:
        services.organisation_match(credit_code=CHENGDU)
        make_org("绵阳某公司", credit_code=MIANYANG)
    lookups = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and ('"credit_code" IN' in q["sql"] or '"credit_code" =' in q["sql"])
    ]
    assert len(lookups) >= 2
    with connection.cursor() as cursor:
        for sql in lookups:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "org_unique_credit_code" in plan, (sql, plan)
