"""Seed the built-in parameter vocabulary (idempotent: existing keys stay)."""

from django.db import migrations


def seed(apps, schema_editor):
    from qihub.requirements.services import parameters_load

    parameters_load(apps.get_model("requirements", "Parameter"))


class Migration(migrations.Migration):
    dependencies = [("requirements", "0002_parameter_is_new")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
