import datetime

import pytest

from qihub.catalog import selectors, services
from qihub.catalog.models import Standard, StandardEvent, StandardRelation
from qihub.catalog.signals import standard_status_changed
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied

pytestmark = pytest.mark.django_db


def _create(actor, identifier, **kw):
    kw.setdefault("title_zh", "测试")
    return services.standard_create(actor=actor, identifier=identifier, **kw)


def test_create_derives_level_nature_and_keys(staff_user, classifications):
    std = _create(
        staff_user,
        "ＧＢ／Ｔ 1.1—2020",
        title_en="Directives",
        ics=["01.120"],
        ccs="A00",
        implemented_on=datetime.date(2020, 10, 1),
    )
    assert std.identifier == "GB/T 1.1-2020"
    assert (std.level, std.nature, std.status) == (
        "national",
        "recommended",
        "in_force",
    )
    assert std.base_key == "GB/T1.1"
    assert [c.code for c in std.ics.all()] == ["01.120"]
    assert std.events.get().type == StandardEvent.Type.CREATED


def test_bad_input_is_refused_and_changes_nothing(staff_user, classifications):
    with pytest.raises(ApplicationError, match="Unknown prefix"):
        _create(staff_user, "XYZ 1-2020")
    with pytest.raises(ApplicationError, match="Unknown ICS"):
        _create(staff_user, "GB 1-2020", ics=["99.999"])
    with pytest.raises(ApplicationError, match="title"):
        services.standard_create(actor=staff_user, identifier="GB 1-2020")
    _create(staff_user, "GB 1-2020")
    with pytest.raises(Conflict):
        _create(staff_user, "gb 1—2020")
    assert Standard.objects.count() == 1


def test_only_staff_write(plain_user):
    with pytest.raises(PermissionDenied):
        _create(plain_user, "GB 1-2020")


def test_double_number_records_identical_adoption(staff_user):
    iso = _create(staff_user, "ISO 9001:2015")
    gb = _create(staff_user, "GB/T 19001-2016/ISO 9001:2015")
    rel = StandardRelation.objects.get(source=gb, target=iso)
    assert (rel.kind, rel.degree) == ("adopts", "IDT")


def test_replacement_updates_the_old_edition_and_both_histories(
    staff_user, django_capture_on_commit_callbacks
):
    old = _create(staff_user, "GB 2762-2017", implemented_on=datetime.date(2017, 9, 17))
    new = _create(staff_user, "GB 2762-2022", implemented_on=datetime.date(2023, 6, 30))
    received = []
    standard_status_changed.connect(lambda **kw: received.append(kw), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.standard_replace(old=old, new=new, actor=staff_user, reason="revised")
    old.refresh_from_db()
    assert old.status == Standard.Status.REPLACED
    assert old.withdrawn_on == datetime.date(2023, 6, 30)
    assert old.events.filter(type=StandardEvent.Type.REPLACED).exists()
    assert new.events.filter(type=StandardEvent.Type.RELATION_ADDED).exists()
    assert received
    assert received[-1]["new_status"] == "replaced"
    # which edition was in force on a past date
    assert selectors.edition_in_force_on("GB 2762", datetime.date(2019, 6, 1)) == old
    assert selectors.edition_in_force_on("GB 2762", datetime.date(2024, 1, 1)) == new
    assert old.status_on(datetime.date(2019, 6, 1)) == "in_force"
    assert old.status_on(datetime.date(2024, 1, 1)) == "replaced"
    # undated identifier = latest edition
    assert selectors.standard_get_by_identifier("GB 2762") == new


def test_partial_replacement_keeps_the_old_one_in_force(staff_user):
    old = _create(staff_user, "GB 1-2010")
    new = _create(staff_user, "GB 2-2020")
    services.standard_replace(old=old, new=new, actor=staff_user, partial=True)
    old.refresh_from_db()
    assert old.status == Standard.Status.IN_FORCE


def test_withdraw_needs_reason_and_only_once(staff_user):
    std = _create(staff_user, "GB 3-2020")
    with pytest.raises(ApplicationError, match="reason"):
        services.standard_withdraw(standard=std, actor=staff_user, reason=" ")
    services.standard_withdraw(standard=std, actor=staff_user, reason="obsolete")
    with pytest.raises(Conflict):
        services.standard_withdraw(standard=std, actor=staff_user, reason="again")
    std.refresh_from_db()
    assert std.status == "withdrawn"


def test_update_records_field_changes(staff_user):
    std = _create(staff_user, "GB 4-2020", title_en="Old")
    services.standard_update(
        standard=std, actor=staff_user, title_en="New", reason="typo"
    )
    event = std.events.filter(type=StandardEvent.Type.UPDATED).get()
    assert event.details == {"title_en": ["Old", "New"]}
    with pytest.raises(ApplicationError):
        services.standard_update(standard=std, actor=staff_user, status="withdrawn")


def test_adoption_needs_degree_and_international_target(staff_user):
    iso = _create(staff_user, "ISO 14001:2015")
    gb = _create(staff_user, "GB/T 24001-2016")
    other = _create(staff_user, "GB 5-2020")
    with pytest.raises(ApplicationError, match="IDT"):
        services.relation_add(source=gb, target=iso, kind="adopts", actor=staff_user)
    with pytest.raises(ApplicationError, match="international"):
        services.relation_add(
            source=gb, target=other, kind="adopts", degree="MOD", actor=staff_user
        )
    services.relation_add(
        source=gb, target=iso, kind="adopts", degree="MOD", actor=staff_user
    )


def test_scheduled_status_refresh(staff_user):
    std = _create(staff_user, "GB 6-2030", implemented_on=datetime.date(2030, 1, 1))
    assert std.status == "to_be_implemented"
    assert services.standards_refresh_statuses(today=datetime.date(2030, 1, 2)) == 1
    std.refresh_from_db()
    assert std.status == "in_force"
