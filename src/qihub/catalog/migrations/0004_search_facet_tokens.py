"""Rewrite every search document with its filter tokens (level, year, ICS
codes with their parents), which the search now matches instead of checking
each full-text match against the columns and the ICS links.

The document is derived data, so this uses the current ``search_text_for``
rather than a frozen copy; the FTS5 update trigger (SQLite) and the generated
tsvector (PostgreSQL) follow.
"""

from django.db import migrations


def rewrite_documents(apps, schema_editor):
    from qihub.catalog.search_text import search_text_for

    Standard = apps.get_model("catalog", "Standard")
    Link = Standard.ics.through
    batch = []
    rows = Standard.objects.order_by("pk").values_list(
        "pk", "identifier", "title_zh", "title_en", "level", "year", "search_text"
    )
    for pk, identifier, title_zh, title_en, level, year, old in rows.iterator(
        chunk_size=2000
    ):
        batch.append((pk, identifier, title_zh, title_en, level, year, old))
        if len(batch) >= 2000:
            _rewrite(Standard, Link, batch, search_text_for)
            batch = []
    if batch:
        _rewrite(Standard, Link, batch, search_text_for)


def _rewrite(Standard, Link, batch, search_text_for):
    codes: dict[int, list[str]] = {}
    for standard_id, code in Link.objects.filter(
        standard_id__in=[row[0] for row in batch]
    ).values_list("standard_id", "icscode_id"):
        codes.setdefault(standard_id, []).append(code)
    changed = []
    for pk, identifier, title_zh, title_en, level, year, old in batch:
        text = search_text_for(
            identifier=identifier,
            title_zh=title_zh,
            title_en=title_en,
            ics=sorted(codes.get(pk, [])),
            level=level,
            year=year,
        )
        if text != old:
            changed.append(Standard(pk=pk, search_text=text))
    Standard.objects.bulk_update(changed, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_index_diet")]

    operations = [migrations.RunPython(rewrite_documents, migrations.RunPython.noop)]
