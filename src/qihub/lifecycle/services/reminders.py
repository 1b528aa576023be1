"""Deadline reminders to committees, proposers and voters."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.roles import Role
from qihub.lifecycle import selectors
from qihub.lifecycle.models import Committee, CommitteeMember


def deadline_reminders_send(
    *, today: datetime.date | None = None, days: int = 14
) -> dict[str, int]:
    """E-mail committee secretaries and proposers about overdue projects and
    consultations closing within ``days``, members who have not voted on a
    ballot closing within ``days``, and periodic reviews due (staff get those
    of standards without a known committee). One mail per recipient.
    Returns counts."""
    today = today or timezone.localdate()
    outbox: dict[str, list[str]] = {}

    def recipients(committee: Committee | None, proposer=None) -> list[str]:
        found = []
        if committee is not None:
            if committee.email:
                found.append(committee.email)
            found += [
                m.user.email
                for m in committee.memberships.all()
                if m.role
                in (CommitteeMember.Role.SECRETARY, CommitteeMember.Role.CHAIR)
                and m.user.email
            ]
        if proposer is not None and proposer.email:
            found.append(proposer.email)
        if not found:
            found = list(
                get_user_model()
                .objects.filter(groups__name__in=[Role.STAFF], is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        return sorted(set(found))

    counts = {"overdue": 0, "closing": 0, "ballots": 0, "reviews": 0, "mails": 0}
    for project in selectors.projects_overdue(today=today):
        counts["overdue"] += 1
        line = _(
            "Overdue: %(code)s %(title)s was planned for %(day)s (now %(state)s)."
        ) % {
            "code": project.code,
            "title": project.title,
            "day": project.due_on,
            "state": project.state,
        }
        for to in recipients(project.committee, project.proposer):
            outbox.setdefault(to, []).append(line)
    for consultation in selectors.consultations_closing(today=today, days=days):
        counts["closing"] += 1
        project = consultation.project
        line = _("Consultation on %(code)s %(title)s closes on %(day)s.") % {
            "code": project.code,
            "title": project.title,
            "day": consultation.closes_on,
        }
        for to in recipients(project.committee, project.proposer):
            outbox.setdefault(to, []).append(line)
    for ballot in selectors.ballots_closing(today=today, days=days):
        counts["ballots"] += 1
        voted = {v.voter_id for v in ballot.votes.all()}
        line = _(
            "Ballot on %(code)s %(title)s closes on %(day)s; your vote is missing."
        ) % {
            "code": ballot.project.code,
            "title": ballot.project.title,
            "day": ballot.closes_on,
        }
        for member in ballot.committee.memberships.all():
            if member.votes and member.user_id not in voted and member.user.email:
                outbox.setdefault(member.user.email, []).append(line)
    committees = {
        c.code: c for c in Committee.objects.prefetch_related("memberships__user")
    }
    for standard in selectors.periodic_reviews_due(today=today):
        counts["reviews"] += 1
        line = _("Periodic review due for %(id)s %(title)s by %(day)s.") % {
            "id": standard.identifier,
            "title": standard.title,
            "day": standard.review_due_on,
        }
        for to in recipients(committees.get(standard.committee)):
            outbox.setdefault(to, []).append(line)
    for to, lines in outbox.items():
        send_mail(
            _("qihub: standard project deadlines"),
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            [to],
        )
        counts["mails"] += 1
    return counts
