"""Every enterprise and inspector gets its organisation; nothing is lost.

Enterprises: matched to an existing organisation by credit code, then by
normalised name (``organisations.names.name_key``) when that organisation
has no other credit code and no other enterprise; otherwise a new
organisation (kind enterprise) is created. Its region is read from the old
region text (``declarations.region_names``), else from the credit code's
division digits (3-8); a text naming no division is kept as the address.
Two enterprises of one name (different credit codes) get two organisations:
the second's name key carries its credit code, as keys must be unique.

The enterprise's users become administrators of the organisation.
Inspectors: the linked enterprise's organisation, else the organisation of
that name (existing, or one just created for an enterprise), else a new one
(kind testing body). Declarations: the denormalised ``region`` becomes the
organisation's GB/T 2260 code.

Set-based for a million rows: organisations are looked up in batches by
key, the missing ones bulk-created, the links bulk-updated in batches.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qihub.declarations.region_names import RegionIndex
from qihub.organisations.names import name_key, search_tokens

BATCH = 2000
LOOKUP = 500  # ids per IN list (SQLite's parameter limit)


def _looks_chinese(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text or "")


def _names(name: str) -> dict:
    name = (name or "").strip()
    if _looks_chinese(name):
        return {"name_zh": name, "name_en": ""}
    return {"name_zh": "", "name_en": name}


def _search_text(name: str, code: str) -> str:
    return " ".join(search_tokens(name) + ([code.lower()] if code else []))


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def forward(apps, schema_editor):
    Enterprise = apps.get_model("declarations", "Enterprise")
    Inspector = apps.get_model("declarations", "Inspector")
    Declaration = apps.get_model("declarations", "Declaration")
    Organisation = apps.get_model("organisations", "Organisation")
    Membership = apps.get_model("organisations", "Membership")
    Region = apps.get_model("organisations", "Region")
    index = RegionIndex(
        Region.objects.values_list("code", "name_zh", "name_en", "level")
    )

    rows = list(
        Enterprise.objects.filter(organisation__isnull=True)
        .order_by("pk")
        .values_list("pk", "credit_code", "name", "region")
    )
    # Organisations already registered under these codes or names.
    by_code: dict[str, tuple] = {}
    by_key: dict[str, tuple] = {}
    fields = ("pk", "credit_code", "name_key", "region_id")
    for part in _chunks({r[1] for r in rows if r[1]}, LOOKUP):
        for org in Organisation.objects.filter(credit_code__in=part).values_list(
            *fields
        ):
            by_code[org[1]] = org
    for part in _chunks({name_key(r[2]) for r in rows} - {""}, LOOKUP):
        for org in Organisation.objects.filter(name_key__in=part).values_list(*fields):
            by_key[org[2]] = org
    taken = set(
        Enterprise.objects.filter(organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )

    links: dict[int, int] = {}  # enterprise id -> organisation id
    fill: dict[int, dict] = {}  # blanks to fill on matched organisations
    new: list[tuple[int, object]] = []  # (enterprise id, unsaved organisation)
    new_keys: set[str] = set()
    for pk, code, name, region_text in rows:
        key = name_key(name)
        region = index.resolve(region_text or "")
        if region is None and code and code[2:8] in index.codes:
            region = code[2:8]
        org = by_code.get(code) if code else None
        if org is None and key in by_key:
            candidate = by_key[key]
            if (not candidate[1] or candidate[1] == code) and candidate[0] not in taken:
                org = candidate
        if org is not None and org[0] not in taken:
            taken.add(org[0])
            links[pk] = org[0]
            fill_code = bool(code and not org[1] and code not in by_code)
            if fill_code or (region and not org[3]):
                fill[org[0]] = {
                    "credit_code": code if fill_code else org[1],
                    "region_id": org[3] or region,
                }
            continue
        if key in by_key or key in new_keys or not key:
            # Another party holds this name: keep the name, make the key unique.
            key = f"{key}{(code or str(pk)).lower()}"
        new_keys.add(key)
        new.append(
            (
                pk,
                (
                    key,
                    code or "",
                    region,
                    "" if region else (region_text or "").strip()[:300],
                    _search_text(name, code),
                    *_names(name or f"#{pk}").values(),
                ),
            )
        )
    # Plain INSERTs in batches: model instances would cost more than the rows.
    table = schema_editor.quote_name(Organisation._meta.db_table)
    now = timezone.now()
    with schema_editor.connection.cursor() as cur:
        for part in _chunks(new, BATCH):
            cur.executemany(
                f"INSERT INTO {table} (created_at, updated_at, kind, former_names,"  # noqa: S608
                " website, contact_name, contact_email, contact_phone, name_key,"
                " credit_code, region_id, address, search_text, name_zh, name_en)"
                " VALUES (%s, %s, 'enterprise', '[]', '', '', '', '',"
                " %s, %s, %s, %s, %s, %s, %s)",
                [(now, now, *values) for _pk, values in part],
            )
    for part in _chunks(sorted(fill.items()), BATCH):
        Organisation.objects.bulk_update(
            [Organisation(pk=pk, **values) for pk, values in part],
            ["credit_code", "region_id"],
        )
    # Every organisation now carries its enterprise's credit code: one UPDATE
    # links them; the few enterprises without a code are linked by id.
    Enterprise.objects.filter(organisation__isnull=True).exclude(credit_code="").update(
        # The exclude lets both databases use the partial unique index.
        organisation_id=Subquery(
            Organisation.objects.filter(credit_code=OuterRef("credit_code"))
            .exclude(credit_code="")
            .values("pk")[:1]
        )
    )
    uncoded = {pk for pk, code, _name, _region in rows if not code}
    new_uncoded = {pk: values[0] for pk, values in new if not values[1]}
    for part in _chunks(sorted(new_uncoded.items()), LOOKUP):
        ids = dict(
            Organisation.objects.filter(
                name_key__in=[k for _pk, k in part]
            ).values_list("name_key", "pk")
        )
        links.update({pk: ids[key] for pk, key in part})
    links = {pk: org for pk, org in links.items() if pk in uncoded}
    for part in _chunks(sorted(links.items()), BATCH):
        Enterprise.objects.bulk_update(
            [Enterprise(pk=pk, organisation_id=org_id) for pk, org_id in part],
            ["organisation_id"],
        )

    # The enterprise's users administer its organisation.
    Through = Enterprise.users.through
    pairs = list(
        Through.objects.values_list("user_id", "enterprise__organisation_id").order_by()
    )
    for part in _chunks(pairs, BATCH):
        wanted = set(part)
        promote = [
            pk
            for pk, user, org in Membership.objects.filter(
                organisation_id__in={org for _user, org in part}
            )
            .exclude(role="administrator")
            .values_list("pk", "user_id", "organisation_id")
            if (user, org) in wanted
        ]
        Membership.objects.filter(pk__in=promote).update(role="administrator")
        Membership.objects.bulk_create(
            [
                Membership(user_id=user, organisation_id=org, role="administrator")
                for user, org in part
            ],
            ignore_conflicts=True,
        )

    # Inspectors: few, matched one by one against the dict of keys.
    org_of_enterprise = dict(
        Enterprise.objects.values_list("pk", "organisation_id").filter(
            pk__in=Inspector.objects.exclude(enterprise=None).values("enterprise_id")
        )
    )
    inspectors = list(
        Inspector.objects.filter(organisation__isnull=True).values_list(
            "pk", "organisation_name", "enterprise_id"
        )
    )
    for part in _chunks({name_key(i[1]) for i in inspectors} - {""}, LOOKUP):
        for org in Organisation.objects.filter(name_key__in=part).values_list(*fields):
            by_key.setdefault(org[2], org)
    for pk, text, enterprise_id in inspectors:
        org_id = org_of_enterprise.get(enterprise_id)
        key = name_key(text)
        if org_id is None and key in by_key:
            org_id = by_key[key][0]
        if org_id is None:
            name = (text or "").strip() or f"Inspector {pk}'s organisation"
            key = key or name_key(name)
            org = Organisation.objects.create(
                kind="testing_body",
                name_key=key,
                search_text=_search_text(name, ""),
                **_names(name),
            )
            by_key[key] = (org.pk, "", key, None)
            org_id = org.pk
        Inspector.objects.filter(pk=pk).update(organisation_id=org_id)

    # The declarations' denormalised region: the organisation's division code.
    Declaration.objects.update(
        region=Coalesce(
            Subquery(
                Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values(
                    "organisation__region_id"
                )[:1]
            ),
            Value(""),
        )
    )


def backward(apps, schema_editor):
    """Copy the organisations' names, codes and regions back to the old columns."""
    Enterprise = apps.get_model("declarations", "Enterprise")
    Inspector = apps.get_model("declarations", "Inspector")
    Declaration = apps.get_model("declarations", "Declaration")
    Membership = apps.get_model("organisations", "Membership")
    from qihub.declarations.search_keys import text_key

    ents = list(
        Enterprise.objects.select_related("organisation__region").exclude(
            organisation=None
        )
    )
    for ent in ents:
        org = ent.organisation
        ent.name = org.name_zh or org.name_en
        ent.name_key = text_key(ent.name)
        ent.credit_code = org.credit_code
        ent.region = org.region.name_zh if org.region else org.address
    for part in _chunks(ents, BATCH):
        Enterprise.objects.bulk_update(
            part, ["name", "name_key", "credit_code", "region"]
        )
    by_org = {e.organisation_id: e.pk for e in ents}
    Through = Enterprise.users.through
    Through.objects.bulk_create(
        [
            Through(enterprise_id=by_org[org], user_id=user)
            for user, org in Membership.objects.filter(
                organisation_id__in=list(by_org)
            ).values_list("user_id", "organisation_id")
        ],
        ignore_conflicts=True,
    )
    for insp in Inspector.objects.select_related("organisation").exclude(
        organisation=None
    ):
        insp.organisation_name = insp.organisation.name_zh or insp.organisation.name_en
        insp.enterprise_id = by_org.get(insp.organisation_id)
        insp.save(update_fields=["organisation_name", "enterprise"])
    Declaration.objects.update(
        region=Coalesce(
            Subquery(
                Enterprise.objects.filter(pk=OuterRef("enterprise_id")).values(
                    "region"
                )[:1]
            ),
            Value(""),
        )
    )


class Migration(migrations.Migration):
    dependencies = [("declarations", "0004_enterprise_organisation")]

    operations = [migrations.RunPython(forward, backward)]
