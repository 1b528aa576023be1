"""The full-text index carries each standard's status, so a status filter is
one index intersection, as level, year and ICS are (migration 0004), instead
of a check of every text match against the table.

The database derives it from the ``status`` column, so every way a status
changes (services, queryset ``.update()``, imports, raw SQL) keeps the index
in step without Python code.

SQLite: the FTS5 table indexes a second column, ``status``, read from the
content table by name like ``search_text`` (so 'rebuild' and 'integrity-check'
still work); '_' is a token character, so ``in_force`` is one token (the
search document never holds '_'). Queries match the words in ``search_text``
only (``search_text : (...)``) and the status as ``status : "in_force"``. The
update trigger also fires when the status changes. A bulk writer that drops
the insert trigger must index both columns:
``INSERT INTO catalog_standard_fts(rowid, search_text, status)
SELECT id, search_text, status FROM catalog_standard WHERE ...``.

PostgreSQL: the generated ``search_tsv`` gets one more word, ``st`` and the
status without '_' (``stinforce``), as the 'simple' parser splits on '_'.

A migration that rebuilds ``catalog_standard`` on SQLite drops the triggers;
it must create ``FTS_TRIGGERS`` below again (as 0003 did for 0002's).
"""

import importlib

from django.db import migrations

_previous = importlib.import_module("qihub.catalog.migrations.0002_search_index")

FTS_TABLE = """CREATE VIRTUAL TABLE catalog_standard_fts USING fts5(
    search_text,
    status,
    content='catalog_standard',
    content_rowid='id',
    tokenize="unicode61 remove_diacritics 2 tokenchars '_'",
    detail=column
)"""
FTS_TRIGGERS = [
    """CREATE TRIGGER catalog_standard_fts_ai AFTER INSERT ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(rowid, search_text, status)
        VALUES (new.id, new.search_text, new.status);
    END""",
    """CREATE TRIGGER catalog_standard_fts_ad AFTER DELETE ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(catalog_standard_fts, rowid, search_text,
            status)
        VALUES ('delete', old.id, old.search_text, old.status);
    END""",
    """CREATE TRIGGER catalog_standard_fts_au AFTER UPDATE OF search_text, status
    ON catalog_standard BEGIN
        INSERT INTO catalog_standard_fts(catalog_standard_fts, rowid, search_text,
            status)
        VALUES ('delete', old.id, old.search_text, old.status);
        INSERT INTO catalog_standard_fts(rowid, search_text, status)
        VALUES (new.id, new.search_text, new.status);
    END""",
]
SQLITE_FORWARD = [
    *_previous.SQLITE_BACKWARD,
    FTS_TABLE,
    *FTS_TRIGGERS,
    "INSERT INTO catalog_standard_fts(catalog_standard_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [*_previous.SQLITE_BACKWARD, *_previous.SQLITE_FORWARD]


def _postgres(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS catalog_standard_search_gin",
        "ALTER TABLE catalog_standard DROP COLUMN IF EXISTS search_tsv",
        "ALTER TABLE catalog_standard ADD COLUMN search_tsv tsvector GENERATED "
        f"ALWAYS AS (to_tsvector('simple'::regconfig, {expression})) STORED",
        "CREATE INDEX catalog_standard_search_gin ON catalog_standard "
        "USING gin (search_tsv)",
    ]


POSTGRES_FORWARD = _postgres("search_text || ' st' || replace(status, '_', '')")
POSTGRES_BACKWARD = _postgres("search_text")


_run = _previous._run  # runs the statements of the connection's vendor


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_facet_tokens")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
