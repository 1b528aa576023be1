"""PostgreSQL only: pattern-ops indexes so ``LIKE 'prefix%'`` searches use an index
whatever the database collation. SQLite uses range scans on the plain indexes."""

from django.db import migrations

INDEXES = [
    ("decl_pg_product_prefix", "product_key"),
    ("decl_pg_enterprise_prefix", "enterprise_key"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON declarations_declaration "
            f"(status, {column} varchar_pattern_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("declarations", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
