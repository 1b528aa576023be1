"""The demo catalogue: a few hundred real standards across every level."""

import datetime

from django.db.models import Count

from qihub.catalog import demo
from qihub.catalog.models import Standard, StandardRelation
from qihub.catalog.search import search_standards
from qihub.catalog.selectors import edition_in_force_on


def test_demo_catalogue_loads_every_level_with_relations(classifications):
    demo.load()
    assert Standard.objects.count() >= 300
    levels = dict(
        Standard.objects.values_list("level").annotate(n=Count("id")).order_by()
    )
    assert set(levels) == {choice.value for choice in Standard.Level}
    kinds = set(StandardRelation.objects.values_list("kind", flat=True))
    assert {"replaces", "adopts", "cites"} <= kinds
    # The browser test's story holds in the demo data.
    assert search_standards(q="食品").total > 10
    old = edition_in_force_on("GB 2762", datetime.date(2019, 6, 1))
    assert old is not None
    assert old.identifier == "GB 2762-2017"


def test_demo_load_is_repeatable(classifications):
    demo.load()
    first = Standard.objects.count()
    demo.load()  # re-importing updates in place
    assert Standard.objects.count() == first
