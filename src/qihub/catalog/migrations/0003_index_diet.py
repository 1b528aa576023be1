"""Fewer, better-chosen indexes on the catalogue tables.

Every index costs each of a million imported rows. PostgreSQL got a second
``varchar_pattern_ops`` index for each indexed text column; the identifier was
unique twice over (``identifier`` and ``ident_key``); level was indexed alone
and again first in (level, status); external ids and CCS codes are mostly empty.

On SQLite the field changes rebuild ``catalog_standard``, which drops the
triggers that keep the FTS5 table in step; they are created again at the end.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_search = importlib.import_module("qihub.catalog.migrations.0002_search_index")
FTS_TRIGGERS = [sql for sql in _search.SQLITE_FORWARD if "CREATE TRIGGER" in sql]


def restore_fts_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _search.SQLITE_BACKWARD:
        if "TRIGGER" in sql:
            schema_editor.execute(sql)
    for sql in FTS_TRIGGERS:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search_index"),
        ("vocab", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="standard",
            options={
                "ordering": ["ident_key"],
                "verbose_name": "standard",
                "verbose_name_plural": "standards",
            },
        ),
        migrations.AlterField(
            model_name="standard",
            name="base_key",
            field=models.CharField(
                help_text="The identifier without its year: all editions share it.",
                max_length=200,
                verbose_name="undated key",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="ccs",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="standards",
                to="vocab.ccscode",
                verbose_name="CCS code",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="external_id",
            field=models.CharField(
                blank=True, max_length=100, verbose_name="external id"
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="ident_key",
            field=models.CharField(
                help_text="Normalised compact identifier used for exact and prefix lookups.",
                max_length=200,
                verbose_name="identifier key",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="identifier",
            field=models.CharField(max_length=200, verbose_name="identifier"),
        ),
        migrations.AlterField(
            model_name="standard",
            name="level",
            field=models.CharField(
                choices=[
                    ("international", "International"),
                    ("national", "National"),
                    ("industry", "Industry"),
                    ("local", "Local"),
                    ("group", "Group"),
                    ("enterprise", "Enterprise"),
                ],
                max_length=20,
                verbose_name="level",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="prefix",
            field=models.CharField(max_length=40, verbose_name="prefix"),
        ),
        migrations.AlterField(
            model_name="standard",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("published", "Published"),
                    ("to_be_implemented", "To be implemented"),
                    ("in_force", "In force"),
                    ("withdrawn", "Withdrawn"),
                    ("replaced", "Replaced"),
                ],
                default="in_force",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="year"
            ),
        ),
        migrations.AlterField(
            model_name="standardevent",
            name="standard",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="catalog.standard",
                verbose_name="standard",
            ),
        ),
        migrations.AddIndex(
            model_name="standard",
            index=models.Index(fields=["base_key"], name="catalog_std_base_key"),
        ),
        migrations.AddIndex(
            model_name="standard",
            index=models.Index(fields=["year"], name="catalog_std_year"),
        ),
        migrations.AddIndex(
            model_name="standard",
            index=models.Index(fields=["status"], name="catalog_std_status"),
        ),
        migrations.AddIndex(
            model_name="standard",
            index=models.Index(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=["external_id"],
                name="catalog_std_external_id",
            ),
        ),
        migrations.AddIndex(
            model_name="standard",
            index=models.Index(
                condition=models.Q(("ccs__isnull", False)),
                fields=["ccs"],
                name="catalog_std_ccs",
            ),
        ),
        migrations.AddConstraint(
            model_name="standard",
            constraint=models.UniqueConstraint(
                fields=("ident_key",), name="catalog_std_ident_key"
            ),
        ),
        migrations.RunPython(restore_fts_triggers, restore_fts_triggers),
    ]
