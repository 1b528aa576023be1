"""Project and feedback events take the shape of ``core.events.Event``.

State only for the renames: a project event's ``comment`` and a feedback
event's ``note`` are ``reason`` in Python, the columns keep their names
(``db_column``) and ``created_at`` takes a default instead of
``auto_now_add``, which only Python reads. Feedback events gain the two
columns they lacked, ``type`` and ``details`` (filled for older rows by the
next migration).
"""

import django.utils.timezone
from django.db import migrations, models


def _created_at():
    return models.DateTimeField(
        default=django.utils.timezone.now, editable=False, verbose_name="time"
    )


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0007_level_choices_foreign")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="projectevent", old_name="comment", new_name="reason"
                ),
                migrations.AlterField(
                    model_name="projectevent",
                    name="reason",
                    field=models.TextField(
                        blank=True, db_column="comment", verbose_name="comment"
                    ),
                ),
                migrations.RenameField(
                    model_name="feedbackevent", old_name="note", new_name="reason"
                ),
                migrations.AlterField(
                    model_name="feedbackevent",
                    name="reason",
                    field=models.TextField(
                        blank=True, db_column="note", verbose_name="note"
                    ),
                ),
                migrations.AlterField(
                    model_name="projectevent", name="created_at", field=_created_at()
                ),
                migrations.AlterField(
                    model_name="feedbackevent", name="created_at", field=_created_at()
                ),
            ],
        ),
        migrations.AddField(
            model_name="feedbackevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("status_changed", "Status changed"),
                ],
                default="status_changed",
                max_length=16,
                verbose_name="type",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="feedbackevent",
            name="details",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
    ]
