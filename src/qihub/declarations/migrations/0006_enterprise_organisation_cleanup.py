"""The old free-text party columns go: the organisation is the one truth."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0005_enterprise_organisation_data"),
        ("organisations", "0002_regions"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="enterprise",
            options={
                "ordering": ["organisation__name_key"],
                "verbose_name": "enterprise",
                "verbose_name_plural": "enterprises",
            },
        ),
        migrations.RemoveField(model_name="enterprise", name="credit_code"),
        migrations.RemoveField(model_name="enterprise", name="name"),
        migrations.RemoveField(model_name="enterprise", name="name_key"),
        migrations.RemoveField(model_name="enterprise", name="region"),
        migrations.RemoveField(model_name="enterprise", name="users"),
        migrations.RemoveField(model_name="inspector", name="enterprise"),
        migrations.RemoveField(model_name="inspector", name="organisation_name"),
        migrations.AlterField(
            model_name="enterprise",
            name="organisation",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="enterprise",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="inspector",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="inspectors",
                to="organisations.organisation",
                verbose_name="organisation",
            ),
        ),
    ]
