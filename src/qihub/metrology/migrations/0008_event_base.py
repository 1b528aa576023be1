"""Metrology events take the shape of ``core.events.Event``: ``at`` is
``created_at`` in Python (still indexed, the column still ``at``).

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
    dependencies = [("metrology", "0007_drop_party_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="metrologyevent", old_name="at", new_name="created_at"
                ),
                migrations.AlterField(
                    model_name="metrologyevent",
                    name="created_at",
                    field=_created_at(db_column="at", db_index=True),
                ),
                migrations.AlterModelOptions(
                    name="metrologyevent",
                    options={
                        "ordering": ["-created_at", "-id"],
                        "verbose_name": "metrology event",
                        "verbose_name_plural": "metrology events",
                    },
                ),
            ],
        ),
    ]
