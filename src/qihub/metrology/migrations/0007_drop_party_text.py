"""Laboratories and instruments point to organisations, schema step two: the
old text is dropped now that 0006 moved it (a laboratory's region is its
organisation's), and every laboratory has its organisation."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("metrology", "0006_match_organisations"),
    ]

    operations = [
        migrations.RemoveField(model_name="instrument", name="owner_text"),
        migrations.RemoveField(model_name="laboratory", name="region"),
        migrations.AlterField(
            model_name="laboratory",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="laboratories",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
    ]
