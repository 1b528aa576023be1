from pathlib import Path

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_demo_loads_and_is_rerunnable():
    if not (
        Path(settings.SHARED_DATA_DIR) / "classification" / "ICS-simple.xml"
    ).exists():
        pytest.skip("../shared/data/classification/ICS-simple.xml is absent")
    from qihub.catalog import demo as catalog_demo
    from qihub.international import demo, selectors
    from qihub.international.comparison import field_comparison
    from qihub.international.models import InternationalProject, Post, TbtNotification
    from qihub.vocab import demo as vocab_demo

    vocab_demo.load()
    catalog_demo.load()
    demo.load()
    demo.load()
    assert Post.objects.filter(role="secretariat").count() == 1
    assert Post.objects.filter(role="convenor").count() == 2
    assert len({p.stage[:2] for p in InternationalProject.objects.all()}) >= 5
    c = field_comparison(ics="67")
    assert {d for d, n in c.degrees.items() if n} == {"IDT", "MOD", "NEQ"}
    assert c.unmatched
    assert any(
        selectors.tbt_enterprises(n)
        .organisations()
        .filter(name_zh="深圳市甜源食品有限公司")
        .exists()
        for n in TbtNotification.objects.all()
    )
