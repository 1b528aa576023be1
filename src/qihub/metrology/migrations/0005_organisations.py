"""Laboratories and instruments point to organisations (issue 14), schema
step one: the new foreign keys beside the old text, which 0006 moves and 0007
drops. The owner's text is renamed out of the way so the foreign key can be
called ``owner``."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("metrology", "0004_instrument_retired"),
        ("organisations", "0002_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="laboratory",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="laboratories",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.RenameField(
            model_name="instrument", old_name="owner", new_name="owner_text"
        ),
        migrations.AddField(
            model_name="instrument",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="instruments",
                to="organisations.organisation",
                verbose_name="owner",
            ),
        ),
        migrations.AlterField(
            model_name="measurementstandard",
            name="region",
            field=models.CharField(
                blank=True,
                help_text="The area the standard serves; its holder's region is its own.",
                max_length=100,
                verbose_name="area served",
            ),
        ),
    ]
