"""Reminders of compulsory verifications falling due."""

import datetime

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.metrology.models import Instrument, MetrologyEvent


def reminders_send(*, today: datetime.date | None = None, within_days: int = 30) -> int:
    """Mail each owner the instruments whose compulsory verification falls due
    within ``within_days`` or is overdue; an instrument taken out of use by
    ``today`` is left out. Returns the number of mails sent."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    rows = (
        Instrument.objects.in_use_on(today)
        .filter(requires_verification=True)
        .exclude(owner_email="")
        .select_related("latest_event")
        .order_by("owner_email", "code")
    )
    by_owner: dict[str, list[str]] = {}
    for inst in rows.iterator(chunk_size=2000):
        ev = inst.latest_event
        if ev is None:
            line = _("%(code)s %(name)s: never verified") % {
                "code": inst.code,
                "name": inst.name,
            }
        elif ev.valid_until < today:
            line = _("%(code)s %(name)s: overdue since %(date)s") % {
                "code": inst.code,
                "name": inst.name,
                "date": ev.valid_until.isoformat(),
            }
        elif ev.valid_until <= horizon:
            line = _("%(code)s %(name)s: due on %(date)s") % {
                "code": inst.code,
                "name": inst.name,
                "date": ev.valid_until.isoformat(),
            }
        else:
            continue
        by_owner.setdefault(inst.owner_email, []).append(line)
    for email, lines in by_owner.items():
        send_mail(
            subject=_("Compulsory verification due: %(count)d instrument(s)")
            % {"count": len(lines)},
            message="\n".join(lines),
            from_email=None,
            recipient_list=[email],
        )
    if by_owner:
        MetrologyEvent.objects.create(
            type=MetrologyEvent.Type.REMINDER,
            details={
                "owners": len(by_owner),
                "instruments": sum(map(len, by_owner.values())),
            },
        )
    return len(by_owner)
