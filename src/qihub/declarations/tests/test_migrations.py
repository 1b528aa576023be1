"""The move to the organisations registry keeps every record (0004-0006).

A database is built at the previous migration with the old free-text rows,
migrated forward, and every enterprise, user, inspector and declaration is
checked to point to the right organisation.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qihub.declarations.tests.conftest import make_code

PREVIOUS = ("declarations", "0003_region_product_index")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _before():
    """Declarations at the previous migration, the other apps as they are
    (the historical models of the registry come along)."""
    return [PREVIOUS] + [key for key in _latest() if key[0] == "organisations"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enterprises_users_inspectors_and_declarations_keep_their_parties():
    from qihub.organisations.names import name_key, search_tokens

    apps = _migrate(_before())
    Enterprise = apps.get_model("declarations", "Enterprise")
    Declaration = apps.get_model("declarations", "Declaration")
    Inspector = apps.get_model("declarations", "Inspector")
    Notice = apps.get_model("declarations", "Notice")
    Organisation = apps.get_model("organisations", "Organisation")
    User = apps.get_model("auth", "User")

    def org(name, code=""):
        return Organisation.objects.create(
            kind="enterprise",
            name_zh=name,
            name_key=name_key(name),
            credit_code=code,
            search_text=" ".join(search_tokens(name)),
        )

    code_a = make_code("91440300MA5FAAAA1")
    code_b = make_code("91440300MA5FBBBB1")
    code_c = make_code("91440100MA5FCCCC1")
    code_d = make_code("91440300MA5FDDDD1")
    code_e = make_code("91999999MA5FEEEE1")
    code_f = make_code("91440100MA5FFFFF1")
    named = org("深圳市童衣有限公司")  # registered without a credit code
    coded = org("深圳彩虹织造公司（旧名）", code_b)  # same code, other name
    u1 = User.objects.create(username="u1")
    u2 = User.objects.create(username="u2")

    def enterprise(code, name, region, industry="纺织"):
        return Enterprise.objects.create(
            credit_code=code, name=name, name_key=name, region=region, industry=industry
        )

    a = enterprise(code_a, "深圳市童衣有限公司 ", "深圳")
    b = enterprise(code_b, "深圳市彩虹织造有限公司", "广东省深圳市")
    c = enterprise(code_c, "广州（棉语）服饰有限公司", "广州")
    d = enterprise(code_d, "东莞甲公司", "火星")  # region from the code: 440300
    e = enterprise(code_e, "乙公司", "火星")  # no division anywhere: kept as text
    f = enterprise(code_f, "广州(棉语)服饰有限公司", "广州市")  # C's name, other code
    a.users.add(u1, u2)
    c.users.add(u2)
    for n, ent in enumerate([a, b, c, d, e, f]):
        Declaration.objects.create(
            enterprise=ent,
            status="published",
            product_name=f"产品{n}",
            region=ent.region,
            industry=ent.industry,
            enterprise_key=ent.name_key,
            credit_code=ent.credit_code,
        )
    Notice.objects.create(enterprise=a, kind="check", subject="s")
    i_spelt = Inspector.objects.create(
        name="张三", organisation="广州(棉语)服饰有限公司"
    )
    i_linked = Inspector.objects.create(name="李四", organisation="彩虹", enterprise=b)
    i_other = Inspector.objects.create(name="王五", organisation="市质检院")

    _migrate(_latest())

    from qihub.declarations.models import Declaration as D
    from qihub.declarations.models import Enterprise as E
    from qihub.declarations.models import Inspector as I
    from qihub.declarations.models import Notice as N
    from qihub.organisations.models import Membership
    from qihub.organisations.models import Organisation as O

    assert E.objects.count() == 6
    assert D.objects.count() == 6
    assert N.objects.get().enterprise_id == a.pk
    ents = {e.pk: e for e in E.objects.select_related("organisation")}
    # Matched by name (a code is filled in) and by credit code.
    assert ents[a.pk].organisation_id == named.pk
    assert ents[a.pk].organisation.credit_code == code_a
    assert ents[a.pk].organisation.region_id == "440300"
    assert ents[b.pk].organisation_id == coded.pk
    # Created: name, code, kind, region from the text or from the code.
    oc = ents[c.pk].organisation
    assert (oc.name_zh, oc.credit_code, oc.kind) == (
        "广州（棉语）服饰有限公司",
        code_c,
        "enterprise",
    )
    assert oc.region_id == "440100"
    assert ents[d.pk].organisation.region_id == "440300"
    oe = ents[e.pk].organisation
    assert oe.region_id is None
    assert oe.address == "火星"
    # Two enterprises of one name stay two organisations, names kept.
    of = ents[f.pk].organisation
    assert of.pk != oc.pk
    assert of.name_zh == "广州(棉语)服饰有限公司"
    assert of.credit_code == code_f
    assert ents[b.pk].industry == "纺织"
    # Users administer their enterprises' organisations.
    assert set(
        Membership.objects.values_list("user__username", "organisation_id", "role")
    ) == {
        ("u1", named.pk, "administrator"),
        ("u2", named.pk, "administrator"),
        ("u2", oc.pk, "administrator"),
    }
    # Inspectors: another spelling of C's name is C's organisation; a linked
    # enterprise gives its organisation; an unknown name becomes one.
    assert I.objects.get(pk=i_spelt.pk).organisation_id == oc.pk
    assert I.objects.get(pk=i_linked.pk).organisation_id == coded.pk
    other = I.objects.get(pk=i_other.pk).organisation
    assert (other.name_zh, other.kind) == ("市质检院", "testing_body")
    assert O.objects.count() == 7
    # Declarations carry the organisation's division code.
    regions = dict(D.objects.values_list("enterprise_id", "region"))
    assert regions == {
        a.pk: "440300",
        b.pk: "440300",
        c.pk: "440100",
        d.pk: "440300",
        e.pk: "",
        f.pk: "440100",
    }
