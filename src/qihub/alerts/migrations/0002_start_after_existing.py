"""The alert job starts after what the database already holds: a catalogue
loaded before this app would otherwise read as a million new standards."""

import django.utils.timezone
from django.db import migrations
from django.db.models import Max


def forwards(apps, schema_editor):
    def top(label):
        return apps.get_model(label).objects.aggregate(m=Max("id"))["m"] or 0

    apps.get_model("alerts", "AlertRun").objects.create(
        day=django.utils.timezone.localdate(),
        last_event_id=top("catalog.StandardEvent"),
        last_standard_id=top("catalog.Standard"),
        last_consultation_id=top("lifecycle.Consultation"),
        last_review_id=top("lifecycle.PeriodicReview"),
    )


def backwards(apps, schema_editor):
    apps.get_model("alerts", "AlertRun").objects.filter(items=0, changed=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("catalog", "0009_foreign_levels_placeholders"),
        ("lifecycle", "0007_level_choices_foreign"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
