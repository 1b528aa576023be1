from decimal import Decimal

import pytest

from qihub.catalog.tests.factories import StandardFactory
from qihub.core.errors import ApplicationError, Conflict, PermissionDenied
from qihub.requirements import selectors, services
from qihub.requirements.models import Requirement, RequirementEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    ["甲醛含量", "游离甲醛", "formaldehyde content", "Formaldehyde", "formaldehyde"],
)
def test_parameter_resolve(text):
    assert services.parameter_resolve(text).key == "formaldehyde"


def test_parameter_resolve_unknown():
    assert services.parameter_resolve("moon phase") is None


def test_requirement_create_and_spec(staff_user):
    std = StandardFactory(identifier="GB 31701-2015")
    StandardFactory(identifier="GB/T 2912.1-2009")
    req = services.requirement_create(
        standard=std,
        parameter="甲醛含量",
        operator="<=",
        value="20",
        unit="毫克/千克",
        conditions={"age_group": "infant"},
        subject="婴幼儿纺织产品",
        test_method="GB/T 2912.1",
        actor=staff_user,
    )
    assert req.unit == "mg/kg"
    assert req.status == Requirement.Status.CONFIRMED
    assert req.test_method_standard.identifier == "GB/T 2912.1-2009"
    spec = req.to_spec()
    assert spec.value == Decimal(20)
    assert spec.parameter == "formaldehyde"
    assert spec.conditions == {"age_group": "infant"}
    assert req.events.get().type == RequirementEvent.Type.CREATED
    assert list(selectors.mandatory_requirements(subject="婴幼儿纺织产品")) == [req]
    assert list(selectors.requirements_for_standards([std.pk])) == [req]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operator": "~"}, "Unknown operator"),
        ({"operator": "<=", "value": "abc"}, "must be a number"),
        ({"operator": "<=", "value": "1", "unit": "blorbs"}, "Unknown unit"),
        ({"operator": "<="}, "A limit value is required"),
        ({"operator": "range", "value": "5", "upper": "1"}, "lower bound is above"),
        ({"operator": "one_of"}, "List the allowed values"),
    ],
)
def test_requirement_create_refuses_bad_input(kwargs, message):
    std = StandardFactory()
    with pytest.raises(ApplicationError, match=message):
        services.requirement_create(standard=std, parameter="lead", **kwargs)
    assert not Requirement.objects.exists()


def test_requirement_review_flow(staff_user, plain_user):
    std = StandardFactory()
    req = services.requirement_create(
        standard=std,
        parameter="lead",
        operator="<=",
        value="0.2",
        unit="mg/kg",
        status=Requirement.Status.PROPOSED,
    )
    with pytest.raises(PermissionDenied):
        services.requirement_confirm(requirement=req, actor=plain_user)
    req = services.requirement_correct(
        requirement=req, actor=staff_user, value="0.1", reason="misread"
    )
    assert req.status == Requirement.Status.CONFIRMED
    assert req.value == Decimal("0.1")
    with pytest.raises(Conflict):
        services.requirement_confirm(requirement=req, actor=staff_user)
    with pytest.raises(ApplicationError, match="Say why"):
        services.requirement_reject(requirement=req, actor=staff_user, reason=" ")
    services.requirement_reject(requirement=req, actor=staff_user, reason="duplicate")
    req.refresh_from_db()
    assert req.status == Requirement.Status.REJECTED
    assert [e.type for e in req.events.order_by("id")] == [
        "proposed",
        "corrected",
        "rejected",
    ]
    assert not selectors.requirements_for_standards([std.pk]).exists()
