"""Scheduled jobs: certificates expire, surveillance reminders, and scope lines
flagged when a replacement edition arrives through a catalogue import."""

import csv
import datetime

from django.core import mail

from qihub.conformity import services
from qihub.conformity.models import Certificate, ScopeLine


def _cert(cert_body, enterprise, *, number="CERT-1", until, surveil=None):
    scheme = services.scheme_create(
        actor=None, code=f"S-{number}", name_en="Scheme", standards=["GB 31701"]
    )
    cert = services.certificate_issue(
        actor=None,
        scheme=scheme,
        body=cert_body,
        holder=enterprise,
        number=number,
        products="婴儿连体服",
        standard="GB 31701-2015",
        valid_from=datetime.date(2024, 1, 1),
        valid_until=until,
    )
    if surveil is not None:
        Certificate.objects.filter(pk=cert.pk).update(next_surveillance_on=surveil)
        cert.refresh_from_db()
    return cert


def test_schedule_registers_conformity_jobs():
    from qihub.core.management.commands.schedule import scheduled_tasks

    paths = {t.module_path for t in scheduled_tasks()}
    assert "qihub.conformity.tasks.certificates_expire" in paths
    assert "qihub.conformity.tasks.surveillance_reminders" in paths


def test_expiry_job_expires_with_history(cert_body, enterprise, gb31701):
    old = _cert(cert_body, enterprise, number="C-OLD", until=datetime.date(2024, 6, 1))
    new = _cert(cert_body, enterprise, number="C-NEW", until=datetime.date(2099, 1, 1))
    from qihub.conformity.tasks import certificates_expire

    assert certificates_expire.call() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("expired", "valid")
    assert [e.type for e in old.events.all()] == ["issued", "expired"]
    assert services.verify_numbers(["C-OLD"])[0]["status"] == "expired"
    # Re-running changes nothing.
    assert services.certificates_expire_due() == 0


def test_surveillance_reminders_once_per_due_date(cert_body, enterprise, gb31701):
    cert_body.contact_email = "cb@example.org"
    cert_body.save()
    today = datetime.date(2026, 3, 1)
    due = _cert(
        cert_body,
        enterprise,
        number="C-DUE",
        until=datetime.date(2099, 1, 1),
        surveil=datetime.date(2026, 3, 10),
    )
    _cert(
        cert_body,
        enterprise,
        number="C-LATER",
        until=datetime.date(2099, 1, 1),
        surveil=datetime.date(2026, 9, 1),
    )
    _cert(
        cert_body,
        enterprise,
        number="C-LATE",
        until=datetime.date(2099, 1, 1),
        surveil=datetime.date(2026, 2, 1),
    )
    assert services.surveillance_reminders_send(today=today) == 2
    [msg] = mail.outbox
    assert msg.to == ["cb@example.org"]
    assert "C-DUE" in msg.body
    assert "C-LATE" in msg.body
    assert "overdue" in msg.body
    assert "C-LATER" not in msg.body
    assert [e.type for e in due.events.all()] == ["issued", "reminded"]
    # The next day: no second reminder for the same due date.
    assert services.surveillance_reminders_send(today=today) == 0
    assert len(mail.outbox) == 1


def test_replacement_by_import_flags_scope_lines(
    scope_lines, gb31701, classifications, tmp_path, django_capture_on_commit_callbacks
):
    from qihub.catalog.importing import COLUMNS, standards_import

    path = tmp_path / "std.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerow(
            {
                "identifier": "GB 31701-2015",
                "title_zh": "婴幼儿及儿童纺织产品安全技术规范",
                "status": "replaced",
            }
        )
        w.writerow(
            {
                "identifier": "GB 31701-2025",
                "title_zh": "婴幼儿及儿童纺织产品安全技术规范",
                "replaces": "GB 31701-2015",
            }
        )
    with django_capture_on_commit_callbacks(execute=True):
        report = standards_import(file=path, fmt=None)
    assert report.ok, report.errors
    flagged = ScopeLine.objects.filter(flagged_at__isnull=False)
    assert flagged.count() == 2
    assert "GB 31701-2015" in flagged.first().flag_reason
