"""The table of the shared database cache (rate limits, login throttling).

On the embedded default the cache is ``DatabaseCache`` on this table, so every
worker process counts in one place; production with ``REDIS_URL`` uses Redis.
The table is created here so that ``migrate`` is all a deployment needs.
"""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

TABLE = "qihub_cache"


def create(apps, schema_editor):
    command = Command()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_role_permissions")]
    operations = [migrations.RunPython(create, drop)]
