"""Demo alerts: the demo users follow a few standards, an ICS field and a
level; one of the followed standards is replaced so the inbox has items."""

from qihub.alerts import services
from qihub.alerts.models import Watch


def load(stdout=None) -> None:
    from django.contrib.auth import get_user_model

    from qihub.catalog.models import Standard, StandardRelation

    users = list(get_user_model().objects.order_by("id")[:3])
    if not users:
        return
    replaced = (
        StandardRelation.objects.filter(kind=StandardRelation.Kind.REPLACES)
        .values_list("target_id", flat=True)
        .order_by("target__ident_key")[:3]
    )
    valid = Standard.objects.filter(status__in=Standard.VALID_STATUSES).order_by(
        "ident_key"
    )[:3]
    created = 0
    for user in users:
        for pk in [*replaced, *valid.values_list("pk", flat=True)]:
            if not Watch.objects.filter(
                user=user, kind="standard", key=str(pk)
            ).exists():
                services.watch_create(actor=user, kind="standard", value=str(pk))
                created += 1
        if not Watch.objects.filter(user=user, kind="level", key="national").exists():
            services.watch_create(actor=user, kind="level", value="national")
            created += 1
    # The job reads from the start: the demo standards and their
    # replacements reach the followers' inboxes.
    from qihub.alerts.models import AlertRun

    AlertRun.objects.filter(items=0, changed=0).delete()
    report = services.alerts_run()
    if stdout:
        stdout.write(f"alerts: {created} watches, {report.items} inbox items")
