"""Seed the default standard-development workflow (idempotent)."""

from django.db import migrations


def seed(apps, schema_editor):
    from qihub.lifecycle.workflow import workflow_ensure

    workflow_ensure(apps.get_model("lifecycle", "State"), apps.get_model("lifecycle", "Transition"))


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
