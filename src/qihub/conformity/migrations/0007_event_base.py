"""Conformity events take the shape of ``core.events.Event``: a test
request's or an application's ``state`` is the event's ``type`` in Python.

State only: the columns keep their names (``db_column``) and no SQL runs
(``sqlmigrate`` prints nothing), so nothing users see is renamed and the
tables are not rebuilt. ``created_at`` takes a default instead of
``auto_now_add``, which only Python reads.
"""

import django.utils.timezone
from django.db import migrations, models


def _created_at(**kw):
    return models.DateTimeField(
        default=django.utils.timezone.now, editable=False, verbose_name="time", **kw
    )


class Migration(migrations.Migration):
    dependencies = [("conformity", "0006_scope_body_region")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="testrequestevent", old_name="state", new_name="type"
                ),
                migrations.AlterField(
                    model_name="testrequestevent",
                    name="type",
                    field=models.CharField(
                        choices=[
                            ("requested", "Requested"),
                            ("quoted", "Quoted"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("sample_received", "Sample received"),
                            ("report_issued", "Report issued"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_column="state",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                migrations.RenameField(
                    model_name="applicationevent", old_name="state", new_name="type"
                ),
                migrations.AlterField(
                    model_name="applicationevent",
                    name="type",
                    field=models.CharField(
                        choices=[
                            ("applied", "Applied"),
                            ("evaluated", "Evaluated"),
                            ("granted", "Granted"),
                            ("refused", "Refused"),
                        ],
                        db_column="state",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                migrations.AlterField(
                    model_name="testrequestevent", name="created_at", field=_created_at()
                ),
                migrations.AlterField(
                    model_name="reportevent", name="created_at", field=_created_at()
                ),
                migrations.AlterField(
                    model_name="applicationevent", name="created_at", field=_created_at()
                ),
                migrations.AlterField(
                    model_name="certificateevent", name="created_at", field=_created_at()
                ),
            ],
        ),
    ]
