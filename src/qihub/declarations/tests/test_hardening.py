"""A declaration's effective date must be plausible (issue 23)."""

import datetime

import pytest

from qihub.core.errors import ApplicationError
from qihub.declarations import services
from qihub.declarations.models import Declaration

pytestmark = pytest.mark.django_db


def _create(enterprise_user, enterprise, effective_on):
    return services.declaration_create(
        actor=enterprise_user,
        enterprise=enterprise,
        product_name="婴儿连体衣",
        category="children's textiles",
        standards=["GB 31701-2015"],
        effective_on=effective_on,
    )


@pytest.mark.parametrize("day", [datetime.date(1, 1, 1), datetime.date(1948, 12, 31)])
def test_an_effective_date_before_1949_is_refused(
    gb_toy, enterprise, enterprise_user, day
):
    with pytest.raises(ApplicationError, match="not plausible") as info:
        _create(enterprise_user, enterprise, day)
    assert "effective_on" in info.value.details
    assert not Declaration.objects.exists()


def test_a_plausible_effective_date_is_kept(gb_toy, enterprise, enterprise_user):
    decl = _create(enterprise_user, enterprise, datetime.date(2024, 5, 1))
    assert decl.versions.get().effective_on == datetime.date(2024, 5, 1)
