"""Give applications made before their history existed a start: an
*applied* event at their creation and, when they have moved on, one for
their current state at their last change (marked ``backfilled``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Application = apps.get_model("conformity", "Application")
    ApplicationEvent = apps.get_model("conformity", "ApplicationEvent")
    for app in Application.objects.filter(events__isnull=True).iterator():
        steps = [("applied", app.created_at)]
        if app.state != "applied":
            steps.append((app.state, app.updated_at))
        for state, at in steps:
            event = ApplicationEvent.objects.create(
                application=app,
                state=state,
                reason=app.decision_reason if state in ("granted", "refused") else "",
                details={"backfilled": True},
            )
            # auto_now_add stamped "now"; the history needs the real time.
            ApplicationEvent.objects.filter(pk=event.pk).update(created_at=at)


def backwards(apps, schema_editor):
    ApplicationEvent = apps.get_model("conformity", "ApplicationEvent")
    ApplicationEvent.objects.filter(details__backfilled=True).delete()


class Migration(migrations.Migration):
    dependencies = [("conformity", "0003_application_event")]

    operations = [migrations.RunPython(forwards, backwards)]
