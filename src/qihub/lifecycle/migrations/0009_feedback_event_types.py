"""Give feedback events written before they had a ``type`` one: the first
step (no previous status) is *received*, every later one a *status change*
with ``{"status": [old, new]}`` in ``details``, as the service now writes.
Re-runnable; going back leaves the rows (the previous migration drops the
columns)."""

from django.db import migrations


def forwards(apps, schema_editor):
    FeedbackEvent = apps.get_model("lifecycle", "FeedbackEvent")
    FeedbackEvent.objects.filter(from_status="").update(type="received")
    changed = FeedbackEvent.objects.exclude(from_status="")
    for event in changed.only("pk", "from_status", "to_status").iterator():
        FeedbackEvent.objects.filter(pk=event.pk).update(
            type="status_changed",
            details={"status": [event.from_status, event.to_status]},
        )


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0008_event_base")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
