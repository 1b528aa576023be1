"""Laboratories and instruments point to organisations (issue 14), the data
step: every laboratory's name and every instrument owner's text is matched to
an organisation by its normalised name (``names.name_key``); the missing ones
are created (a laboratory's as a calibration laboratory in the division its
region text names, the text kept as the address when it names none; an
owner's as an enterprise). A matched organisation without a region gets the
laboratory's. A laboratory with an
accreditation number also gets an ``accredited_body`` designation issued by
CNAS from the day the laboratory was registered.

Set-based so that it runs on a million instruments in well under the five
minutes the issue allows: the distinct owner strings are read once, the
organisations loaded by key into a dict and the missing ones bulk-created,
and the instruments updated in one statement through a temporary table of
owner text -> organisation. Reversing it writes the organisations' names
(and the laboratories' division names) back into the text columns; the
organisations and designations it created stay (others may point to them).
"""

import re

from django.db import migrations
from django.db.models import Count
from django.utils import timezone

from qihub.organisations.names import name_key, search_tokens

CNAS_NAME = "中国合格评定国家认可委员会 (CNAS)"
CNAS_NAME_EN = "China National Accreditation Service for Conformity Assessment"
REASON = "Registered from the metrology registry (data migration)"
#: Organisations looked up per ``name_key__in`` query (below every database's
#: parameter limit).
LOOKUP_BATCH = 900
INSERT_BATCH = 2000

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "州",
    "盟",
    "旗",
)


def _looks_chinese(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in text or "")


def _aliases(name: str) -> set[str]:
    """Shorter ways people write a division's name: 北京 for 北京市, 延边州
    for 延边朝鲜族自治州."""
    out = set()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            out.add(name[: -len(suffix)])
            break
    if name.endswith("自治州") and len(name) > 5:
        out.update({name[:2], name[:2] + "州"})
    if name.endswith(("自治县", "自治旗")) and len(name) > 5:
        out.update({name[:2], name[:2] + name[-1]})
    out.discard(name)
    return out


def _pick(index: dict[str, list[tuple[int, str]]]) -> dict[str, str]:
    """The code a name designates: the one division of the highest level
    bearing it (北京市 the province, not its city), none when ambiguous
    (朝阳区 is in Beijing and in Changchun)."""
    picked = {}
    for name, hits in index.items():
        hits.sort()
        if len(hits) == 1 or hits[0][0] < hits[1][0]:
            picked[name] = hits[0][1]
    return picked


def region_lookup(Region):
    """A function from a region text (a GB/T 2260 code, a division's name or
    a short form of it) to the division's code, or None."""
    rank = {"province": 0, "city": 1, "county": 2}
    exact: dict[str, list[tuple[int, str]]] = {}
    short: dict[str, list[tuple[int, str]]] = {}
    codes = set()
    for code, name, level in Region.objects.values_list("code", "name_zh", "level"):
        codes.add(code)
        exact.setdefault(name, []).append((rank[level], code))
        for alias in _aliases(name):
            short.setdefault(alias, []).append((rank[level], code))
    exact_pick, short_pick = _pick(exact), _pick(short)

    def find(text: str) -> str | None:
        text = re.sub(r"\s+", "", text or "")
        if not text:
            return None
        if text in codes:
            return text
        found = exact_pick.get(text) or short_pick.get(text)
        if found:
            return found
        for alias in _aliases(text):
            found = exact_pick.get(alias) or short_pick.get(alias)
            if found:
                return found
        return None

    return find


def _organisations_by_key(Organisation, keys) -> dict[str, int]:
    keys = sorted(set(keys))
    found: dict[str, int] = {}
    for i in range(0, len(keys), LOOKUP_BATCH):
        found.update(
            Organisation.objects.filter(name_key__in=keys[i : i + LOOKUP_BATCH])
            .order_by()
            .values_list("name_key", "id")
        )
    return found


def _insert(schema_editor, model, rows: list[dict]) -> None:
    """Insert ``rows`` (field name -> value) without ``bulk_create``'s model
    instances and per-row SQL compilation (the slow part at a million rows on
    SQLite): one prepared INSERT of every concrete field of the historical
    model; a field a row leaves out gets its default, as Django would save it
    (so a field added to the model later is filled too)."""
    connection = schema_editor.connection
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    template = model()
    defaults = [
        f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields
    ]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        schema_editor.quote_name(model._meta.db_table),
        ", ".join(schema_editor.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    names = [f.attname for f in fields]
    values = [
        tuple(
            default if name not in row else row[name]
            for name, default in zip(names, defaults, strict=True)
        )
        for row in rows
    ]
    _execute_rows(connection, sql, values)


def _execute_rows(connection, sql: str, values: list[tuple]) -> None:
    """Run a one-row INSERT for many rows: SQLite's executemany is fast;
    PostgreSQL's sends a statement per row, so there the rows are copied in
    (COPY FROM STDIN, psycopg 3)."""
    if not values:
        return
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            for i in range(0, len(values), INSERT_BATCH):
                cur.executemany(sql, values[i : i + INSERT_BATCH])
            return
        head = sql.partition(" VALUES ")[0].replace("INSERT INTO", "COPY", 1)
        with cur.cursor.copy(f"{head} FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)


def _ensure(apps, schema_editor, wanted: dict[str, tuple[str, str, str | None, str]]) -> dict[str, int]:
    """Organisation ids by name key; ``wanted`` maps each key to (name, kind,
    region code, address) for the ones to create when missing. An existing
    organisation without a region gets the region (nothing is overwritten)."""
    Organisation = apps.get_model("organisations", "Organisation")
    OrganisationEvent = apps.get_model("organisations", "OrganisationEvent")
    ids = _organisations_by_key(Organisation, wanted)
    missing = [key for key in wanted if key not in ids]
    _insert(
        schema_editor,
        Organisation,
        [
            {
                "name_zh": name if _looks_chinese(name) else "",
                "name_en": "" if _looks_chinese(name) else name,
                "name_key": key,
                "search_text": " ".join(search_tokens(name)),
                "kind": kind,
                "region_id": region,
                "address": address[:300],
            }
            for key in missing
            for name, kind, region, address in [wanted[key]]
        ],
    )
    created = _organisations_by_key(Organisation, missing)
    _insert(
        schema_editor,
        OrganisationEvent,
        [
            {"organisation_id": pk, "type": "created", "reason": REASON}
            for pk in created.values()
        ],
    )
    for key, pk in ids.items():
        region = wanted[key][2]
        if region:
            Organisation.objects.filter(pk=pk, region__isnull=True).update(
                region_id=region
            )
    ids.update(created)
    return ids


def _cnas(apps) -> int:
    Organisation = apps.get_model("organisations", "Organisation")
    key = name_key(CNAS_NAME)
    found = Organisation.objects.filter(name_key=key).values_list("id", flat=True)
    if found:
        return found[0]
    cnas = Organisation.objects.create(
        name_zh=CNAS_NAME,
        name_en=CNAS_NAME_EN,
        name_key=key,
        search_text=" ".join(search_tokens(CNAS_NAME, CNAS_NAME_EN)),
        kind="government",
    )
    apps.get_model("organisations", "OrganisationEvent").objects.create(
        organisation_id=cnas.pk, type="created", reason=REASON
    )
    return cnas.pk


def _laboratories(apps, schema_editor) -> None:
    Laboratory = apps.get_model("metrology", "Laboratory")
    Region = apps.get_model("organisations", "Region")
    Designation = apps.get_model("organisations", "Designation")
    labs = list(Laboratory.objects.order_by("pk"))
    if not labs:
        return
    region_of = region_lookup(Region)

    def label(lab) -> str:
        return (lab.name or "").strip() or lab.code

    wanted: dict[str, tuple[str, str, str | None, str]] = {}
    key_of: dict[int, str] = {}
    for lab in labs:
        key = key_of[lab.pk] = name_key(label(lab)) or name_key(lab.code)
        region = region_of(lab.region)
        # a region text that names no division stays readable as the address
        address = "" if region else lab.region.strip()
        wanted.setdefault(key, (label(lab), "calibration_lab", region, address))
    ids = _ensure(apps, schema_editor, wanted)
    for lab in labs:
        lab.organisation_id = ids[key_of[lab.pk]]
    Laboratory.objects.bulk_update(labs, ["organisation"], batch_size=INSERT_BATCH)

    accredited = [lab for lab in labs if lab.accreditation_number.strip()]
    if not accredited:
        return
    cnas = _cnas(apps)
    have = set(
        Designation.objects.filter(kind="accredited_body").values_list(
            "organisation_id", "number"
        )
    )
    new = []
    for lab in accredited:
        number = lab.accreditation_number.strip()[:100]
        if (lab.organisation_id, number) in have:
            continue
        have.add((lab.organisation_id, number))
        new.append(
            Designation(
                organisation_id=lab.organisation_id,
                kind="accredited_body",
                issuing_authority_id=cnas if cnas != lab.organisation_id else None,
                number=number,
                valid_from=timezone.localdate(lab.created_at),
                note=f"Laboratory {lab.code}"[:300],
            )
        )
    Designation.objects.bulk_create(new, batch_size=INSERT_BATCH)


def _instruments(apps, schema_editor) -> None:
    Instrument = apps.get_model("metrology", "Instrument")
    counts = dict(
        Instrument.objects.exclude(owner_text="")
        .order_by()
        .values_list("owner_text")
        .annotate(n=Count("id"))
        .values_list("owner_text", "n")
    )
    key_of = {text: name_key(text) for text in counts}
    texts = [text for text, key in key_of.items() if key]
    if not texts:
        return
    wanted: dict[str, tuple[str, str, None, str]] = {}
    # The most common spelling of a name (the first in sort order among equals)
    # names a new organisation, so the same data always gives the same names.
    for text in sorted(texts, key=lambda t: (-counts[t], t)):
        wanted.setdefault(key_of[text], (text.strip(), "enterprise", None, ""))
    ids = _ensure(apps, schema_editor, wanted)
    table = schema_editor.quote_name(Instrument._meta.db_table)
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "CREATE TEMPORARY TABLE metrology_owner_map "
            "(owner_text varchar(300) PRIMARY KEY, org_id bigint NOT NULL)"
        )
        _execute_rows(
            schema_editor.connection,
            "INSERT INTO metrology_owner_map (owner_text, org_id) VALUES (%s, %s)",
            [(text, ids[key_of[text]]) for text in texts],
        )
        if schema_editor.connection.vendor == "postgresql":
            cur.execute("ANALYZE metrology_owner_map")
            cur.execute(
                f"UPDATE {table} SET owner_id = m.org_id FROM metrology_owner_map m "  # noqa: S608
                f"WHERE m.owner_text = {table}.owner_text"
            )
        else:
            cur.execute(
                f"UPDATE {table} SET owner_id = (SELECT m.org_id "  # noqa: S608
                f"FROM metrology_owner_map m WHERE m.owner_text = {table}.owner_text) "
                "WHERE owner_text <> ''"
            )
        cur.execute("DROP TABLE metrology_owner_map")


def forward(apps, schema_editor):
    _laboratories(apps, schema_editor)
    _instruments(apps, schema_editor)


def backward(apps, schema_editor):
    Instrument = apps.get_model("metrology", "Instrument")
    Laboratory = apps.get_model("metrology", "Laboratory")
    Organisation = apps.get_model("organisations", "Organisation")
    table = schema_editor.quote_name(Instrument._meta.db_table)
    orgs = schema_editor.quote_name(Organisation._meta.db_table)
    schema_editor.execute(
        f"UPDATE {table} SET owner_text = (SELECT CASE WHEN o.name_zh <> '' "  # noqa: S608
        f"THEN o.name_zh ELSE o.name_en END FROM {orgs} o WHERE o.id = {table}.owner_id) "
        "WHERE owner_id IS NOT NULL"
    )
    labs = list(Laboratory.objects.select_related("organisation__region"))
    for lab in labs:
        region = lab.organisation.region if lab.organisation_id else None
        lab.region = region.name_zh if region is not None else ""
    Laboratory.objects.bulk_update(labs, ["region"], batch_size=INSERT_BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("metrology", "0005_organisations"),
        ("organisations", "0002_regions"),
    ]

    operations = [migrations.RunPython(forward, backward)]
