"""Parties become organisations (issue 14), step 3 of 3: the free-text
columns 0005 matched are dropped (every row now points to its organisation;
comments and feedback keep the typed text in ``organisation_name``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0005_organisations_data"),
    ]

    operations = [
        migrations.RemoveField("committeemember", "organisation_text"),
        migrations.RemoveField("researchproject", "lead_organisation_text"),
        migrations.RemoveField("project", "proposer_organisation_text"),
        migrations.RemoveField("project", "drafting_units_text"),
    ]
