"""Every record an import created gets its *imported* event.

Imports used to give the records they created no event: the history made
one up from the ``ImportRun`` on every read. They now write one per record
(``catalog.importing.writer.Writer.created_events``); this gives the
records imported before the same event, in one INSERT ... SELECT: the run's
time and actor, "imported from FILE" as the reason (in the site's language)
and ``{"format", "import", "created": true}`` as the made-up one had. No
record is changed or removed; reversing deletes only these events.
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation


def _reason_parts() -> tuple[str, str]:
    from django.utils.translation import gettext

    with translation.override(settings.LANGUAGE_CODE):
        text = gettext("imported from %(f)s")
    before, _sep, after = text.partition("%(f)s")
    return before, after


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    before, after = _reason_parts()
    postgres = connection.vendor == "postgresql"
    run_id = "r.id::text" if postgres else "r.id"
    changes = (
        "('{\"format\": \"' || r.format || '\", \"import\": ' || "
        f"{run_id} || ', \"created\": true}}')"
    )
    if postgres:
        changes += "::jsonb"
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO catalog_standardevent "  # noqa: S608
            "(standard_id, type, created_at, actor_id, reason, changes) "
            "SELECT s.id, 'imported', r.created_at, r.actor_id, "
            "%s || COALESCE(NULLIF(r.file_name, ''), r.format) || %s, "
            f"{changes} "
            "FROM catalog_standard s JOIN catalog_importrun r ON r.id = s.import_run_id "
            "WHERE NOT EXISTS (SELECT 1 FROM catalog_standardevent e "
            "WHERE e.standard_id = s.id AND e.type = 'imported' "
            "AND e.created_at = r.created_at) ORDER BY s.id",
            [before, after],
        )


def backwards(apps, schema_editor):
    StandardEvent = apps.get_model("catalog", "StandardEvent")
    StandardEvent.objects.filter(type="imported", changes__created=True).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0011_implemented_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
