"""Full-text index over ``catalog_standard.search_text``, one per database.

SQLite: an FTS5 external-content table kept in step by triggers (Django's test
flush deletes rows one by one on SQLite, so the delete trigger keeps it clean).
PostgreSQL: a GIN index on ``to_tsvector('simple', search_text)``, stored in
a generated column ``search_tsv`` that Django never writes; the document is
already segmented (jieba for Chinese), so the 'simple' parser only splits on
spaces and lower-cases.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE catalog_standard_fts USING fts5(
        search_text,
        content='catalog_standard',
        content_rowid='id',
        tokenize="unicode61 remove_diacritics 2",
        detail=column
    )""",
    """CREATE TRIGGER catalog_standard_fts_ai AFTER INSERT ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER catalog_standard_fts_ad AFTER DELETE ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(catalog_standard_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER catalog_standard_fts_au AFTER UPDATE OF search_text
    ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(catalog_standard_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO catalog_standard_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO catalog_standard_fts(catalog_standard_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_standard_fts_au",
    "DROP TRIGGER IF EXISTS catalog_standard_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_standard_fts_ai",
    "DROP TABLE IF EXISTS catalog_standard_fts",
]
POSTGRES_FORWARD = [
    # A stored vector: the GIN index answers the match, and re-checks, ranking
    # and "newest first" scans read it instead of re-parsing search_text.
    """ALTER TABLE catalog_standard ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED""",
    """CREATE INDEX catalog_standard_search_gin ON catalog_standard
    USING gin (search_tsv)""",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_standard_search_gin",
    "ALTER TABLE catalog_standard DROP COLUMN IF EXISTS search_tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
