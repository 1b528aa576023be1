"""Full-text index over ``organisations_organisation.search_text`` (the
names' tokens: every Chinese character and pair of characters, Latin word
prefixes, the credit code), one per database, so a search no longer scans
the registry.

SQLite: an FTS5 external-content table kept in step by triggers, without
positions (a search needs no phrases). PostgreSQL: a GIN index on the
tokens as lexemes, exactly as written (``array_to_tsvector``: no parser,
no stemming).

Rows that exist are indexed when it is built; rows added later (also by
the domains' data migrations that register organisations, whichever order
they run in) by the triggers on SQLite and by the index itself on
PostgreSQL.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE organisations_organisation_fts USING fts5(
        search_text,
        content='organisations_organisation',
        content_rowid='id',
        tokenize="unicode61 remove_diacritics 0",
        detail=none,
        columnsize=0
    )""",
    """CREATE TRIGGER organisations_organisation_fts_ai
    AFTER INSERT ON organisations_organisation BEGIN
        INSERT INTO organisations_organisation_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER organisations_organisation_fts_ad
    AFTER DELETE ON organisations_organisation BEGIN
        INSERT INTO organisations_organisation_fts(
            organisations_organisation_fts, rowid, search_text
        ) VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER organisations_organisation_fts_au
    AFTER UPDATE OF search_text ON organisations_organisation BEGIN
        INSERT INTO organisations_organisation_fts(
            organisations_organisation_fts, rowid, search_text
        ) VALUES ('delete', old.id, old.search_text);
        INSERT INTO organisations_organisation_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO organisations_organisation_fts(organisations_organisation_fts) "
    "VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS organisations_organisation_fts_au",
    "DROP TRIGGER IF EXISTS organisations_organisation_fts_ad",
    "DROP TRIGGER IF EXISTS organisations_organisation_fts_ai",
    "DROP TABLE IF EXISTS organisations_organisation_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX organisations_search_gin ON organisations_organisation
    USING gin (array_to_tsvector(array_remove(string_to_array(search_text, ' '), '')))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS organisations_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_regions")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
