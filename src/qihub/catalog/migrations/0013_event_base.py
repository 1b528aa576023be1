"""Standard and validity-check events take the shape of ``core.events.Event``:
``changes`` is ``details`` in Python.

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
    dependencies = [("catalog", "0012_import_created_events")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="standardevent", old_name="changes", new_name="details"
                ),
                migrations.AlterField(
                    model_name="standardevent",
                    name="details",
                    field=models.JSONField(
                        blank=True, db_column="changes", default=dict, verbose_name="changes"
                    ),
                ),
                migrations.RenameField(
                    model_name="validitycheckevent", old_name="changes", new_name="details"
                ),
                migrations.AlterField(
                    model_name="validitycheckevent",
                    name="details",
                    field=models.JSONField(
                        blank=True, db_column="changes", default=dict, verbose_name="changes"
                    ),
                ),
                migrations.AlterField(
                    model_name="standardevent", name="created_at", field=_created_at()
                ),
                migrations.AlterField(
                    model_name="validitycheckevent", name="created_at", field=_created_at()
                ),
            ],
        ),
    ]
