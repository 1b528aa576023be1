"""Scope lines carry their body's region code, so "who can test this" filters
a region on the lines' own index; every existing line gets its body's."""

from django.db import migrations, models

FILL = """
UPDATE conformity_scopeline SET body_region = COALESCE(
    (SELECT o.region_id FROM organisations_organisation o
     WHERE o.id = conformity_scopeline.body_id), '')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("conformity", "0005_scope_param_body"),
        ("organisations", "0004_network_tally"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="scopeline", name="scope_param_std_body"),
        migrations.RemoveIndex(model_name="scopeline", name="scope_param_body"),
        migrations.AddField(
            model_name="scopeline",
            name="body_region",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=6,
                verbose_name="body's region",
            ),
        ),
        # Filled before the new indexes exist, so they are built once.
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="scopeline",
            index=models.Index(
                fields=["parameter_key", "standard", "body_region", "body", "id"],
                name="scope_param_std_region",
            ),
        ),
        migrations.AddIndex(
            model_name="scopeline",
            index=models.Index(
                fields=["parameter_key", "body_region", "body", "id"],
                name="scope_param_region",
            ),
        ),
    ]
