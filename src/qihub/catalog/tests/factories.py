"""factory_boy factories for catalogue records; other domains use them too."""

import datetime

import factory

from qihub.catalog.models import Standard, StandardRelation


class StandardFactory(factory.django.DjangoModelFactory):
    """A national recommended standard in force; pass ``identifier`` and the
    derived key fields follow (``ident_key``, ``base_key``, ``prefix``, ...)."""

    class Meta:
        model = Standard
        django_get_or_create = ("identifier",)

    identifier = factory.Sequence(lambda n: f"GB/T {30000 + n}-2020")
    ident_key = factory.LazyAttribute(lambda o: o.identifier.replace(" ", "").upper())
    base_key = factory.LazyAttribute(lambda o: o.ident_key.rsplit("-", 1)[0])
    prefix = factory.LazyAttribute(lambda o: o.identifier.split(" ")[0])
    number = factory.LazyAttribute(
        lambda o: o.identifier.split(" ")[1].rsplit("-", 1)[0]
    )
    year = factory.LazyAttribute(lambda o: int(o.identifier.rsplit("-", 1)[1][:4]))
    level = Standard.Level.NATIONAL
    nature = factory.LazyAttribute(
        lambda o: (
            Standard.Nature.RECOMMENDED
            if "/T" in o.prefix
            else Standard.Nature.MANDATORY
        )
    )
    status = Standard.Status.IN_FORCE
    title_zh = factory.Sequence(lambda n: f"测试标准 第{n}号")
    title_en = factory.Sequence(lambda n: f"Test standard number {n}")
    issued_on = datetime.date(2020, 3, 1)
    implemented_on = datetime.date(2020, 10, 1)


class StandardRelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardRelation

    source = factory.SubFactory(StandardFactory)
    target = factory.SubFactory(StandardFactory)
    kind = StandardRelation.Kind.REPLACES
