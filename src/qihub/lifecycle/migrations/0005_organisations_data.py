"""Parties become organisations (issue 14), step 2 of 3: match every old
free-text party to an organisation and keep every record.

Staff-entered parties (a committee member's organisation, a project's
proposer and drafting units, a research project's lead) are matched by the
normalised name (``organisations.names.name_key``; these texts carry no
credit code) and the organisations missing are created, with a kind
*guessed* from the name (``lifecycle.parties.guess_kind``: 标准化研究院/
标准化协会 → standardization institute, 协会/联合会/学会 → social
organisation, 科学院/研究院/研究所 → research institute, 大学/学院 →
university, 公司/集团 → enterprise, 局/委员会/厅 → government, else research
institute); it is a guess, staff correct it on the organisation's page.
Former names are not searched: a registry fresh from issue 14 has none. Drafting units are split with ``names.split_names`` and keep
their order (position 1 = first drafting unit).

Public input (comments, feedback, patent holders) only *links* to an
organisation whose name key matches; no organisation is created from it and
the typed text stays.

Set-based for a million rows: the distinct names are collected per column,
the organisations loaded by key into a dict (batches of 500 keys), the
missing ones bulk-created, and each column's links written by one UPDATE
joining a temporary table of (text, organisation id); the drafting units are
inserted as plain rows in batches.
"""

from django.db import migrations

from qihub.lifecycle.parties import guess_kind
from qihub.organisations.names import name_key, search_tokens, split_names

BATCH = 2000
KEY_BATCH = 500


def _cjk(text):
    return any("\u3400" <= c <= "\u9fff" for c in text or "")


def _texts(model, field):
    """The distinct non-blank values of a text column."""
    return (
        model.objects.exclude(**{field: ""})
        .order_by()
        .values_list(field, flat=True)
        .distinct()
        .iterator(chunk_size=BATCH)
    )


def _load_ids(Organisation, keys):
    """name_key -> organisation id for the keys registered already."""
    found = {}
    keys = list(keys)
    for i in range(0, len(keys), KEY_BATCH):
        found.update(
            Organisation.objects.filter(name_key__in=keys[i : i + KEY_BATCH]).values_list(
                "name_key", "id"
            )
        )
    return found


def _ensure(Organisation, names):
    """name_key -> id for ``names`` (key -> first spelling seen), creating
    the organisations not registered yet."""
    ids = _load_ids(Organisation, names)
    missing = [
        Organisation(
            kind=guess_kind(name),
            name_zh=name if _cjk(name) else "",
            name_en="" if _cjk(name) else name,
            name_key=key,
            former_names=[],
            credit_code="",
            search_text=" ".join(search_tokens(name)),
        )
        for key, name in names.items()
        if key not in ids
    ]
    if missing:
        Organisation.objects.bulk_create(missing, batch_size=BATCH)
        ids.update(_load_ids(Organisation, [o.name_key for o in missing]))
    return ids


def _link(schema_editor, model, text_field, fk_field, ids, *, require_all):
    """Point each row's ``fk_field`` at the organisation of its text: the
    distinct texts and their organisations go into a temporary table, and one
    UPDATE joins it (no statement per row, nor a CASE per batch)."""
    pairs = []
    for text in _texts(model, text_field):
        key = name_key(text)
        org_id = ids.get(key)
        if org_id is None:
            # A text of punctuation only names nobody; anything else that
            # is staff-entered was registered above.
            if require_all and key:
                raise RuntimeError(f"{model.__name__}: no organisation for {text!r}")
            continue
        pairs.append((text, org_id))
    if not pairs:
        return
    qn = schema_editor.quote_name
    table = qn(model._meta.db_table)
    text_col = qn(model._meta.get_field(text_field).column)
    fk_col = qn(model._meta.get_field(fk_field).column)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE lifecycle_party_map "
            "(party_text TEXT PRIMARY KEY, org_id BIGINT NOT NULL)"
        )
        for i in range(0, len(pairs), BATCH):
            cursor.executemany(
                "INSERT INTO lifecycle_party_map (party_text, org_id) VALUES (%s, %s)",
                pairs[i : i + BATCH],
            )
        cursor.execute(
            f"UPDATE {table} SET {fk_col} = (SELECT m.org_id FROM lifecycle_party_map m"
            f" WHERE m.party_text = {table}.{text_col})"
            f" WHERE {text_col} IN (SELECT party_text FROM lifecycle_party_map)"
        )
        cursor.execute("DROP TABLE lifecycle_party_map")


def forward(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    CommitteeMember = apps.get_model("lifecycle", "CommitteeMember")
    ResearchProject = apps.get_model("lifecycle", "ResearchProject")
    Project = apps.get_model("lifecycle", "Project")
    ProjectDraftingUnit = apps.get_model("lifecycle", "ProjectDraftingUnit")
    Comment = apps.get_model("lifecycle", "Comment")
    Feedback = apps.get_model("lifecycle", "Feedback")
    PatentDisclosure = apps.get_model("lifecycle", "PatentDisclosure")

    # 1. Every staff-entered name, first spelling kept.
    names = {}

    def collect(text):
        key = name_key(text)
        if key and key not in names:
            names[key] = text.strip()

    for model, field in (
        (CommitteeMember, "organisation_text"),
        (ResearchProject, "lead_organisation_text"),
        (Project, "proposer_organisation_text"),
    ):
        for text in _texts(model, field):
            collect(text)
    for text in _texts(Project, "drafting_units_text"):
        for name in split_names(text):
            collect(name)
    ids = _ensure(Organisation, names)

    # 2. Staff-entered parties point to their organisation.
    for model, text_field, fk_field in (
        (CommitteeMember, "organisation_text", "organisation"),
        (ResearchProject, "lead_organisation_text", "lead_organisation"),
        (Project, "proposer_organisation_text", "proposer_organisation"),
    ):
        _link(schema_editor, model, text_field, fk_field, ids, require_all=True)
    # The drafting units, inserted as plain rows (the ORM's per-object work
    # would dominate at a million projects).
    qn = schema_editor.quote_name
    insert = (
        f"INSERT INTO {qn(ProjectDraftingUnit._meta.db_table)} "
        f"({qn('project_id')}, {qn('organisation_id')}, {qn('position')}) "
        "VALUES (%s, %s, %s)"
    )
    rows = (
        Project.objects.exclude(drafting_units_text="")
        .order_by("pk")
        .values_list("pk", "drafting_units_text")
        .iterator(chunk_size=BATCH)
    )
    units = []
    with schema_editor.connection.cursor() as cursor:
        for pk, text in rows:
            for position, name in enumerate(split_names(text), start=1):
                units.append((pk, ids[name_key(name)], position))
            if len(units) >= BATCH:
                cursor.executemany(insert, units)
                units = []
        if units:
            cursor.executemany(insert, units)

    # 3. Public input links only to organisations registered (now, including
    # the ones just created); nothing is created from it.
    for model, text_field, fk_field in (
        (Comment, "organisation_name", "organisation"),
        (Feedback, "organisation_name", "organisation"),
        (PatentDisclosure, "holder", "holder_organisation"),
    ):
        keys = {name_key(text) for text in _texts(model, text_field)} - {""}
        _link(
            schema_editor,
            model,
            text_field,
            fk_field,
            _load_ids(Organisation, keys),
            require_all=False,
        )


def backward(apps, schema_editor):
    """Write the organisations' names back into the text columns (the
    organisations created stay registered)."""
    CommitteeMember = apps.get_model("lifecycle", "CommitteeMember")
    ResearchProject = apps.get_model("lifecycle", "ResearchProject")
    Project = apps.get_model("lifecycle", "Project")
    ProjectDraftingUnit = apps.get_model("lifecycle", "ProjectDraftingUnit")

    def name(org):
        return org.name_zh or org.name_en

    for model, fk_field, text_field in (
        (CommitteeMember, "organisation", "organisation_text"),
        (ResearchProject, "lead_organisation", "lead_organisation_text"),
        (Project, "proposer_organisation", "proposer_organisation_text"),
    ):
        rows = []
        for row in model.objects.filter(**{fk_field + "__isnull": False}).select_related(
            fk_field
        ).iterator(chunk_size=BATCH):
            setattr(row, text_field, name(getattr(row, fk_field)))
            rows.append(row)
        model.objects.bulk_update(rows, [text_field], batch_size=BATCH)
    texts = {}
    for unit in ProjectDraftingUnit.objects.select_related("organisation").order_by(
        "project_id", "position"
    ):
        texts.setdefault(unit.project_id, []).append(name(unit.organisation))
    Project.objects.bulk_update(
        [Project(pk=pk, drafting_units_text="\n".join(n)) for pk, n in texts.items()],
        ["drafting_units_text"],
        batch_size=BATCH,
    )
    ProjectDraftingUnit.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0004_organisations_schema"),
    ]

    operations = [migrations.RunPython(forward, backward)]
