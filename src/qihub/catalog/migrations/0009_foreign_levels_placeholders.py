"""Foreign regional and national levels, the unknown status and the
"referenced only" flag of placeholder records (issue 18).

The new column is added with ALTER TABLE ADD COLUMN and a constant default
on both databases: Django's own AddField of a NOT NULL column would rebuild
the table on SQLite, dropping the full-text triggers of migrations 0002 and
0005 with it. The level and status choices change no schema.
"""

from django.db import migrations, models

ADD = (
    "ALTER TABLE catalog_standard "
    "ADD COLUMN referenced_only boolean NOT NULL DEFAULT false"
)
DROP = "ALTER TABLE catalog_standard DROP COLUMN referenced_only"

LEVELS = [
    ("international", "International"),
    ("national", "National"),
    ("industry", "Industry"),
    ("local", "Local"),
    ("group", "Group"),
    ("enterprise", "Enterprise"),
    ("foreign_regional", "Foreign regional"),
    ("foreign_national", "Foreign national"),
]
STATUSES = [
    ("draft", "Draft"),
    ("published", "Published"),
    ("to_be_implemented", "To be implemented"),
    ("in_force", "In force"),
    ("withdrawn", "Withdrawn"),
    ("replaced", "Replaced"),
    ("unknown", "Unknown (referenced only)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_standard_drafting_units"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="standard",
                    name="referenced_only",
                    field=models.BooleanField(
                        default=False,
                        help_text=(
                            "Named by another record (cited or replaced) but not "
                            "itself catalogued yet: upgraded in place when its "
                            "record is imported."
                        ),
                        verbose_name="referenced only",
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="standard",
            name="level",
            field=models.CharField(
                choices=LEVELS, max_length=20, verbose_name="level"
            ),
        ),
        migrations.AlterField(
            model_name="standard",
            name="status",
            field=models.CharField(
                choices=STATUSES,
                default="in_force",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
