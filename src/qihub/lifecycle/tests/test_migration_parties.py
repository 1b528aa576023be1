"""The data migration from free-text parties to organisations keeps every
record: a database built at 0003 with old rows, migrated forward."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qihub.organisations.names import name_key, search_tokens

BEFORE = [("lifecycle", "0003_event_type_comment_resolved")]


def _migrate(targets):
    """Migrate the lifecycle to ``targets``; the models as they are then
    (the other apps stay at their latest migration)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] in ("organisations", "catalog", "auth")
    ]
    return executor.loader.project_state([*targets, *others]).apps


@pytest.mark.django_db(transaction=True)
def test_old_parties_point_to_organisations_after_migration():
    old = _migrate(BEFORE)
    User = old.get_model("auth", "User")
    Organisation = old.get_model("organisations", "Organisation")
    State = old.get_model("lifecycle", "State")
    Committee = old.get_model("lifecycle", "Committee")
    CommitteeMember = old.get_model("lifecycle", "CommitteeMember")
    Project = old.get_model("lifecycle", "Project")
    ResearchProject = old.get_model("lifecycle", "ResearchProject")
    Consultation = old.get_model("lifecycle", "Consultation")
    Comment = old.get_model("lifecycle", "Comment")
    Feedback = old.get_model("lifecycle", "Feedback")
    PatentDisclosure = old.get_model("lifecycle", "PatentDisclosure")
    Standard = old.get_model("catalog", "Standard")

    # One organisation registered before, under a slightly different spelling.
    registered = Organisation.objects.create(
        kind="standardization_institute",
        name_zh="中国标准化研究院",
        name_key=name_key("中国标准化研究院"),
        search_text=" ".join(search_tokens("中国标准化研究院")),
    )
    before = Organisation.objects.count()
    users = [User.objects.create(username=f"u{i}") for i in range(3)]
    committee = Committee.objects.create(code="SAC/TC 1")
    seats = [
        CommitteeMember.objects.create(
            committee=committee, user=users[0], organisation="中国标准化研究院 "
        ),
        CommitteeMember.objects.create(
            committee=committee, user=users[1], organisation="东华大学"
        ),
        CommitteeMember.objects.create(committee=committee, user=users[2]),
    ]
    # (an earlier transactional test may have flushed the workflow states)
    state, _created = State.objects.get_or_create(
        slug="proposal", defaults={"name_zh": "提案", "name_en": "Proposal"}
    )
    p1 = Project.objects.create(
        code="P1",
        state=state,
        title_zh="甲",
        proposer_organisation="中国纺织工业联合会",
        drafting_units="国家纺织制品质量检验检测中心、中国纺织工业联合会，东华大学\n"
        "中国标准化研究院、东华大学",
    )
    p2 = Project.objects.create(
        code="P2",
        state=state,
        title_zh="乙",
        proposer_organisation="某服装有限公司",
        drafting_units="某服装有限公司",
    )
    p3 = Project.objects.create(code="P3", state=state, title_zh="丙")
    research = ResearchProject.objects.create(
        code="RP1", title_zh="研究", lead_organisation="中国科学院某研究所"
    )
    no_lead = ResearchProject.objects.create(code="RP2", title_zh="研究二")
    consultation = Consultation.objects.create(
        project=p1, opens_on="2026-01-01", closes_on="2026-03-01"
    )
    c_match = Comment.objects.create(
        consultation=consultation,
        number=1,
        commenter="王工",
        organisation="东华 大学",
        text="x",
    )
    c_free = Comment.objects.create(
        consultation=consultation,
        number=2,
        commenter="李工",
        organisation="某不知名检测站",
        text="y",
    )
    standard = Standard.objects.create(
        identifier="GB 1-2020", ident_key="gb12020", title_zh="标准"
    )
    fb_match = Feedback.objects.create(
        tracking_number="FB-2026-000001",
        standard=standard,
        name="刘",
        organisation="中国纺织工业联合会",
        subject="s",
        body="b",
    )
    fb_free = Feedback.objects.create(
        tracking_number="FB-2026-000002",
        standard=standard,
        name="赵",
        organisation="路人甲公司",
        subject="s",
        body="b",
    )
    patent_match = PatentDisclosure.objects.create(
        project=p1,
        patent_number="ZL1",
        holder="某服装有限公司",
        licensing="frand",
        declarant="D",
    )
    patent_free = PatentDisclosure.objects.create(
        project=p1,
        patent_number="ZL2",
        holder="某个人发明者",
        licensing="free",
        declarant="D",
    )

    new = _migrate([("lifecycle", "0006_remove_party_texts")])
    Organisation = new.get_model("organisations", "Organisation")
    CommitteeMember = new.get_model("lifecycle", "CommitteeMember")
    Project = new.get_model("lifecycle", "Project")
    ResearchProject = new.get_model("lifecycle", "ResearchProject")
    Comment = new.get_model("lifecycle", "Comment")
    Feedback = new.get_model("lifecycle", "Feedback")
    PatentDisclosure = new.get_model("lifecycle", "PatentDisclosure")

    def org(name):
        return Organisation.objects.get(name_key=name_key(name))

    # Staff-entered parties: matched or registered, with a guessed kind.
    assert Organisation.objects.count() == before + 5
    assert {
        o.name_zh: o.kind for o in Organisation.objects.exclude(pk=registered.pk)
    } == {
        "东华大学": "university",
        "中国纺织工业联合会": "social_organisation",
        "国家纺织制品质量检验检测中心": "research_institute",
        "某服装有限公司": "enterprise",
        "中国科学院某研究所": "research_institute",
    }
    assert [CommitteeMember.objects.get(pk=s.pk).organisation_id for s in seats] == [
        registered.pk,
        org("东华大学").pk,
        None,
    ]
    assert Project.objects.get(pk=p1.pk).proposer_organisation == org(
        "中国纺织工业联合会"
    )
    assert Project.objects.get(pk=p3.pk).proposer_organisation is None
    units = list(
        Project.objects.get(pk=p1.pk)
        .drafting_units.order_by("position")
        .values_list("position", "organisation__name_zh")
    )
    # In their order, each once (东华大学 was listed twice).
    assert units == [
        (1, "国家纺织制品质量检验检测中心"),
        (2, "中国纺织工业联合会"),
        (3, "东华大学"),
        (4, "中国标准化研究院"),
    ]
    assert list(
        Project.objects.get(pk=p2.pk).drafting_units.values_list(
            "organisation__name_zh", flat=True
        )
    ) == ["某服装有限公司"]
    assert not Project.objects.get(pk=p3.pk).drafting_units.exists()
    assert ResearchProject.objects.get(pk=research.pk).lead_organisation == org(
        "中国科学院某研究所"
    )
    assert ResearchProject.objects.get(pk=no_lead.pk).lead_organisation is None

    # Public input: the text stays; linked only where it matches.
    assert [
        (c.organisation_name, c.organisation_id)
        for c in Comment.objects.filter(pk__in=[c_match.pk, c_free.pk]).order_by(
            "number"
        )
    ] == [("东华 大学", org("东华大学").pk), ("某不知名检测站", None)]
    assert Feedback.objects.get(pk=fb_match.pk).organisation == org(
        "中国纺织工业联合会"
    )
    assert Feedback.objects.get(pk=fb_free.pk).organisation_name == "路人甲公司"
    assert Feedback.objects.get(pk=fb_free.pk).organisation is None
    assert not Organisation.objects.filter(name_key=name_key("路人甲公司")).exists()
    assert PatentDisclosure.objects.get(pk=patent_match.pk).holder_organisation == (
        org("某服装有限公司")
    )
    free = PatentDisclosure.objects.get(pk=patent_free.pk)
    assert (free.holder, free.holder_organisation) == ("某个人发明者", None)
    # Nothing lost.
    assert CommitteeMember.objects.count() == 3
    assert Project.objects.count() == 3
    assert Comment.objects.count() == 2
    assert Feedback.objects.count() == 2
    assert PatentDisclosure.objects.count() == 2

    # And back: the texts are written again from the organisations.
    back = _migrate(BEFORE)
    Project = back.get_model("lifecycle", "Project")
    CommitteeMember = back.get_model("lifecycle", "CommitteeMember")
    assert Project.objects.get(pk=p2.pk).drafting_units == "某服装有限公司"
    assert Project.objects.get(pk=p1.pk).proposer_organisation == "中国纺织工业联合会"
    assert CommitteeMember.objects.get(pk=seats[1].pk).organisation == "东华大学"
    MigrationExecutor(connection).migrate(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
