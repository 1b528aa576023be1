import datetime

import pytest

from qihub.core.errors import ApplicationError, PermissionDenied
from qihub.international import selectors, services, stages
from qihub.international.models import InternationalEvent, Post, TechnicalBody

D = datetime.date


def test_stage_codes_shipped_and_normalised():
    assert "60.60" in stages.stages()
    assert stages.normalise("6060") == "60.60"
    assert stages.normalise(4020) == "40.20"
    assert stages.normalise("40.21") is None
    assert stages.normalise("99.99") is None


@pytest.mark.django_db
def test_body_reference_registers_its_parents():
    wg = services.body_register(actor=None, reference="iso/tc 34/sc 19/wg 1")
    assert wg.reference == "ISO/TC 34/SC 19/WG 1"
    assert (wg.kind, wg.number, wg.body) == ("WG", 1, "ISO")
    assert wg.parent.reference == "ISO/TC 34/SC 19"
    assert wg.parent.parent.reference == "ISO/TC 34"
    assert TechnicalBody.objects.count() == 3


@pytest.mark.django_db
def test_bad_body_reference_refused():
    with pytest.raises(ApplicationError, match="not a technical body reference"):
        services.body_register(actor=None, reference="SAC/TC 64")


@pytest.mark.django_db
def test_post_without_term_is_refused(orgs):
    body = services.body_register(actor=None, reference="ISO/TC 34")
    with pytest.raises(ApplicationError, match="needs its term") as exc:
        services.post_assign(
            actor=None,
            body=body,
            role="convenor",
            organisation=orgs["szis"],
            person_name="林晓",
            term_start=D(2024, 1, 1),
            term_end=None,
        )
    assert "term_end" in exc.value.details
    with pytest.raises(ApplicationError, match="before it starts"):
        services.post_assign(
            actor=None,
            body=body,
            role="chair",
            organisation=orgs["szis"],
            person_name="林晓",
            term_start=D(2024, 1, 1),
            term_end=D(2023, 1, 1),
        )
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_only_staff_write(orgs, plain_user):
    with pytest.raises(PermissionDenied):
        services.body_register(actor=plain_user, reference="ISO/TC 34")


@pytest.mark.django_db
def test_project_stage_validated_and_domestic_adoption_linked(food, orgs):
    with pytest.raises(ApplicationError, match=r"Unknown stage code 45\.00"):
        services.project_register(actor=None, reference="ISO/NP 1", stage="45.00")
    p = services.project_register(
        actor=None,
        reference="ISO/DIS 665",
        stage="40.20",
        leading_organisation=orgs["szis"],
        participants=[orgs["cnis"], orgs["szis"]],
    )
    assert p.stage_title == "DIS ballot initiated: 12 weeks"
    assert list(p.participants.all()) == [
        orgs["cnis"]
    ]  # the leader is not a participant
    services.project_set_stage(
        actor=None, project=p, stage="6060", standard=food["iso665"]
    )
    p.refresh_from_db()
    assert p.stage == "60.60"
    assert p.domestic_adoption == food["gbt14489"]
    assert InternationalEvent.objects.filter(project=p, type="stage").exists()


@pytest.mark.django_db
def test_counts_by_region_network_and_day(orgs):
    from qihub.organisations.models import Network, NetworkMember

    net = Network.objects.create(name_zh="粤港澳标准联盟", kind="alliance")
    NetworkMember.objects.create(
        network=net, organisation=orgs["cnis"], joined_on=D(2020, 1, 1)
    )
    services.project_register(
        actor=None,
        reference="ISO/NP 1",
        stage="10.20",
        leading_organisation=orgs["szis"],
        participants=[orgs["cnis"]],
        proposed_on=D(2025, 1, 1),
    )
    services.project_register(
        actor=None,
        reference="ISO/NP 2",
        stage="20.00",
        leading_organisation=orgs["lab"],
        proposed_on=D(2026, 1, 1),
    )
    services.project_register(
        actor=None,
        reference="ISO/NP 3",
        stage="10.98",  # rejected: does not count
        leading_organisation=orgs["lab"],
        proposed_on=D(2025, 1, 1),
    )
    assert selectors.projects_led_count(region="440300", on=D(2026, 6, 1)) == 2
    assert selectors.projects_led_count(region="440000", on=D(2025, 6, 1)) == 1
    assert selectors.projects_led_count(region="110000", on=D(2026, 6, 1)) == 0
    assert selectors.projects_participated_count(region="110000", on=D(2026, 6, 1)) == 1
    assert selectors.projects_participated_count(network=net, on=D(2026, 6, 1)) == 1
    assert selectors.projects_participated_count(network=net, on=D(2019, 6, 1)) == 0
    assert selectors.projects_participated_count(on=D(2026, 6, 1)) == 2


@pytest.mark.django_db
def test_trained_and_active_talents(orgs):
    course = services.course_create(
        actor=None,
        title="ISO course",
        training_base=orgs["szis"],
        starts_on=D(2023, 10, 9),
        ends_on=D(2023, 10, 13),
    )
    services.trainee_enrol(
        actor=None,
        course=course,
        person_name="林晓",
        organisation=orgs["szis"],
        certificate_number="C-1",
    )
    t2 = services.trainee_enrol(
        actor=None, course=course, person_name="陈芳", organisation=orgs["lab"]
    )
    services.trainee_enrol(
        actor=None,
        course=course,
        person_name="赵敏",
        organisation=orgs["lab"],
        certificate_number="C-3",
    )
    with pytest.raises(ApplicationError, match="already issued"):
        services.trainee_certify(actor=None, trainee=t2, certificate_number="C-1")
    services.trainee_certify(actor=None, trainee=t2, certificate_number="C-2")
    body = services.body_register(actor=None, reference="ISO/TC 34/SC 17")
    services.post_assign(
        actor=None,
        body=body,
        role="expert",
        organisation=orgs["szis"],
        person_name="林晓",
        term_start=D(2024, 1, 1),
        term_end=D(2027, 1, 1),
    )
    services.project_register(
        actor=None,
        reference="ISO/NP 9",
        stage="10.20",
        leading_organisation=orgs["lab"],
        leader_name="陈芳",
    )
    assert selectors.talents_trained_count(on=D(2026, 1, 1)) == 3
    assert selectors.talents_active_count(on=D(2026, 1, 1)) == 2
    assert selectors.talents_active_count(region="440300", on=D(2023, 12, 1)) == 1
    assert selectors.talents_trained_count(on=D(2023, 1, 1)) == 0
