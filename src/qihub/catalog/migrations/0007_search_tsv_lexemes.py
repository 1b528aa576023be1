"""PostgreSQL: the search document's tokens are the index's lexemes as they
are, without the text-search parser.

``Standard.search_text`` is already a list of normalised tokens, one space
apart (``search_text.search_text_for``), so parsing it again with
``to_tsvector('simple', ...)`` found the same words (every one of a
1,000,000-row catalogue) at about five times the cost of splitting it: 14.6
against 3.0 us a row, paid on every insert and update, and during a bulk
import on the server's one core. ``array_to_tsvector`` takes the words as
lexemes, without positions (no query uses them: matches are ``&`` of words
and the rank counts lexemes, ``LENGTH(search_tsv)``, which does not change),
so the column is also a quarter smaller. The status word stays derived by the
database (migration 0005). Queries give their words as lexemes too
(``search.PostgresBackend.ts_query``: ``'word' & 'other'``), so both sides
agree by construction.

SQLite is unchanged.
"""

import importlib

from django.db import migrations

_previous = importlib.import_module("qihub.catalog.migrations.0005_search_status_token")

#: The words of the document and the status word, empty strings dropped (a
#: document that is empty or has a double space stays valid).
LEXEMES = (
    "array_to_tsvector(array_remove(string_to_array("
    "search_text || ' st' || replace(status, '_', ''), ' '), ''))"
)


def _postgres(expression: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS catalog_standard_search_gin",
        "ALTER TABLE catalog_standard DROP COLUMN IF EXISTS search_tsv",
        "ALTER TABLE catalog_standard ADD COLUMN search_tsv tsvector GENERATED "
        f"ALWAYS AS ({expression}) STORED",
        "CREATE INDEX catalog_standard_search_gin ON catalog_standard "
        "USING gin (search_tsv)",
    ]


POSTGRES_FORWARD = _postgres(LEXEMES)
POSTGRES_BACKWARD = _previous.POSTGRES_FORWARD


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_import_runs")]

    operations = [
        migrations.RunPython(
            _previous._run({"postgresql": POSTGRES_FORWARD}),
            _previous._run({"postgresql": POSTGRES_BACKWARD}),
        )
    ]
