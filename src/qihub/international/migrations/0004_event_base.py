"""International events take the shape of ``core.events.Event``.

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
    dependencies = [("international", "0003_tbt_enterprises_read_from_declarations")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="internationalevent", name="created_at", field=_created_at()
                ),
            ],
        ),
    ]
