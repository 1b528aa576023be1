"""Enterprises and inspectors point to organisations (schema, before the data).

The enterprise's credit code loses its unique index here so that the
reverse of 0006 can add the column back empty before 0005's reverse fills it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0003_region_product_index"),
        ("organisations", "0002_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="organisation",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enterprise",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="enterprise",
            name="credit_code",
            field=models.CharField(
                default="", max_length=18, verbose_name="unified social credit code"
            ),
        ),
        migrations.RenameField(
            model_name="inspector", old_name="organisation", new_name="organisation_name"
        ),
        migrations.AddField(
            model_name="inspector",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="inspectors",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
    ]
