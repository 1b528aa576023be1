"""Fixtures for lifecycle tests: a committee with officers and voters, projects
in a given state."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from qihub.catalog.tests.factories import StandardFactory
from qihub.core.services import user_create
from qihub.lifecycle import services
from qihub.lifecycle.models import CommitteeMember
from qihub.organisations.services import organisation_create


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    """Fresh rate-limit counters, and English messages from services."""
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def committee(db, staff_user):
    committee = services.committee_create(
        actor=staff_user,
        code="SAC/TC 999",
        name_zh="测试标准化技术委员会",
        name_en="Test standardization technical committee",
        email="tc999@example.org",
    )
    return committee


@pytest.fixture
def secretary(committee, staff_user):
    user = user_create(
        username="secretary1", password="pw-secretary1", email="sec@example.org"
    )
    services.committee_member_add(
        committee=committee,
        user=user,
        actor=staff_user,
        role=CommitteeMember.Role.SECRETARY,
    )
    return user


@pytest.fixture
def voters(committee, staff_user):
    users = []
    for i in range(4):
        user = user_create(
            username=f"member{i}", password=f"pw-member{i}", roles=["reviewer"]
        )
        services.committee_member_add(committee=committee, user=user, actor=staff_user)
        users.append(user)
    return users


@pytest.fixture
def old_standard(db):
    return StandardFactory(
        identifier="GB 31701-2015",
        nature="mandatory",
        title_zh="婴幼儿及儿童纺织产品安全技术规范",
        title_en="Safety technical code for infants and children textile products",
        issued_on=datetime.date(2015, 5, 26),
        implemented_on=datetime.date(2016, 6, 1),
    )


@pytest.fixture
def make_project(staff_user, committee, enterprise_user):
    def _make(state: str = "proposal", **kw):
        kw.setdefault("title_zh", "测试标准项目")
        kw.setdefault("title_en", "Test standard project")
        kw.setdefault("committee", committee)
        project = services.project_create(actor=enterprise_user, **kw)
        path = {
            "proposal": [],
            "approved": ["approved"],
            "drafting": ["approved", "drafting"],
            "consultation": ["approved", "drafting", "consultation"],
        }[state]
        if "consultation" in path and not project.draft_text:
            services.project_update(
                project=project,
                actor=staff_user,
                draft_text="1 范围\n本文件规定……\n2 术语\n",
            )
        for slug in path:
            project = services.project_transition(
                project=project,
                to_state=slug,
                actor=staff_user,
                deadline=timezone.localdate() + datetime.timedelta(days=60),
            )
        return project

    return _make


@pytest.fixture
def make_org(db):
    """Register an organisation by name (Chinese or English)."""

    def _make(name: str, kind: str = "research_institute", **kw):
        cjk = any("\u3400" <= c <= "\u9fff" for c in name)
        return organisation_create(
            actor=None,
            kind=kind,
            name_zh=name if cjk else "",
            name_en="" if cjk else name,
            **kw,
        )

    return _make


@pytest.fixture
def cnis(make_org):
    return make_org("CNIS", kind="standardization_institute")
