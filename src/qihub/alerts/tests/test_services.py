import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from qihub.alerts import selectors, services
from qihub.alerts.models import InboxItem, Watch
from qihub.alerts.tests.conftest import write_csv
from qihub.catalog import services as catalog_services
from qihub.catalog.models import Standard
from qihub.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_follow_refuses_unknown_standard_ics_and_duplicates(user, standard):
    with pytest.raises(ApplicationError, match="no standard 999999"):
        services.watch_create(actor=user, kind="standard", value="999999")
    with pytest.raises(ApplicationError, match=r"unknown ICS code 99\.999"):
        services.watch_create(actor=user, kind="ics", value="99.999")
    with pytest.raises(ApplicationError, match="not a standard identifier"):
        services.watch_create(actor=user, kind="identifier", value="hello")
    with pytest.raises(ApplicationError, match="unknown level"):
        services.watch_create(actor=user, kind="level", value="galactic")
    services.watch_create(actor=user, kind="standard", value=str(standard.pk))
    with pytest.raises(ApplicationError, match="already follow GB/T 19001-2016"):
        services.watch_create(actor=user, kind="standard", value=str(standard.pk))
    assert Watch.objects.count() == 1


def test_replaced_by_an_import_reaches_inbox_and_digest(
    tmp_path, user, classifications
):
    call_command(
        "import_standards",
        str(
            write_csv(
                tmp_path / "a.csv",
                [{"identifier": "GB/T 19001-2016", "title_zh": "质量管理体系 要求"}],
            )
        ),
    )
    old = Standard.objects.get(identifier="GB/T 19001-2016")
    services.watch_create(actor=user, kind="standard", value=str(old.pk))
    services.alerts_daily()  # published: nothing replaced yet
    assert not InboxItem.objects.filter(kind="replaced").exists()
    call_command(
        "import_standards",
        str(
            write_csv(
                tmp_path / "b.csv",
                [
                    {
                        "identifier": "GB/T 19001-2016",
                        "title_zh": "质量管理体系 要求",
                        "status": "replaced",
                    },
                    {
                        "identifier": "GB/T 19001-2026",
                        "title_zh": "质量管理体系 要求",
                        "replaces": "GB/T 19001-2016",
                    },
                ],
            )
        ),
    )
    mail.outbox.clear()
    report = services.alerts_daily()
    [item] = InboxItem.objects.filter(user=user, kind="replaced")
    assert item.kind == InboxItem.Kind.REPLACED
    assert item.subject == "GB/T 19001-2016 is replaced"
    assert "GB/T 19001-2026" in item.body
    # the watch follows the successor
    new = Standard.objects.get(identifier="GB/T 19001-2026")
    assert Watch.objects.filter(user=user, standard=new, followed_from__isnull=False)
    assert report.mails == 1
    [message] = mail.outbox
    assert message.to == ["f@example.org"]
    assert "GB/T 19001-2016 is replaced" in message.body
    assert "/alerts/unsubscribe/" in message.body
    # run again: nothing twice
    services.alerts_daily()
    assert InboxItem.objects.filter(user=user, kind="replaced").count() == 1
    assert len(mail.outbox) == 1


def test_identifier_ics_level_and_org_watches(user, classifications, make_org):
    from qihub.organisations.models import Membership

    org = make_org("Test institute")
    Membership.objects.create(user=user, organisation=org, role="member")
    services.watch_create(actor=user, kind="identifier", value="GB/T 99999")
    services.watch_create(actor=user, kind="ics", value="03.120", organisation=org)
    catalog_services.standard_create(
        actor=None, identifier="GB/T 99999-2026", title_zh="新标准"
    )
    catalog_services.standard_create(
        actor=None, identifier="GB/T 88888-2026", title_zh="另一个", ics=["03.120.10"]
    )
    services.alerts_run()
    subjects = sorted(
        InboxItem.objects.filter(user=user).values_list("subject", flat=True)
    )
    assert subjects == ["GB/T 88888-2026 is published", "GB/T 99999-2026 is published"]


def test_implementation_reminder_and_withdrawal(user, standard):
    services.watch_create(actor=user, kind="standard", value=str(standard.pk))
    today = datetime.date(2026, 1, 1)
    Standard.objects.filter(pk=standard.pk).update(
        implemented_on=today + datetime.timedelta(days=30)
    )
    services.alerts_run(today=today)
    assert InboxItem.objects.get(user=user, kind="implementation").subject == (
        "GB/T 19001-2016 takes effect in 30 days"
    )
    catalog_services.standard_withdraw(standard=standard, actor=None, reason="old")
    services.alerts_run(today=today)
    assert InboxItem.objects.filter(user=user, kind="withdrawn").count() == 1


def test_unsubscribe_token_and_digest_off(user, standard):
    token = services.unsubscribe_token(user)
    services.digest_unsubscribe(token=token)
    services.watch_create(actor=user, kind="standard", value=str(standard.pk))
    catalog_services.standard_withdraw(standard=standard, actor=None, reason="old")
    mail.outbox.clear()
    assert services.alerts_daily().mails == 0
    with pytest.raises(ApplicationError, match="not valid"):
        services.digest_unsubscribe(token=token + "x")


def test_inbox_joins_declarations_notices(user, standard, make_org):
    from qihub.declarations.models import Enterprise, Notice
    from qihub.organisations.models import Membership

    org = make_org("Acme")
    Membership.objects.create(user=user, organisation=org, role="member")
    enterprise = Enterprise.objects.create(organisation=org)
    Notice.objects.create(enterprise=enterprise, kind="check", subject="Check passed")
    InboxItem.objects.create(user=user, kind="notice", subject="Hello", dedupe="x")
    entries = selectors.inbox(user)
    assert {e.subject for e in entries} == {"Check passed", "Hello"}
    assert selectors.unread_count(user) == 2
    assert services.inbox_mark_read(user=user) == 2
    assert selectors.unread_count(user) == 0


def test_digests_go_out_in_batches_and_a_failed_batch_is_mailed_again(
    standard, monkeypatch
):
    """Each user gets one message with all their items and the unsubscribe
    link that names them; the items of a batch are marked mailed once the
    batch has gone, so a batch whose sending fails stays unmarked and goes
    out on the next run, and nothing goes twice."""
    from django.core.mail.backends.locmem import EmailBackend

    from qihub.core.services import user_create

    users = [
        user_create(username=f"f{k}", password="pw-f", roles=[], email=f"f{k}@x.org")
        for k in range(5)
    ]
    nomail = user_create(username="nomail", password="pw-f", roles=[], email="")
    for u in [*users, nomail]:
        services.watch_create(actor=u, kind="standard", value=str(standard.pk))
    catalog_services.standard_withdraw(standard=standard, actor=None, reason="old")
    services.alerts_run()
    assert InboxItem.objects.filter(emailed_at__isnull=True).count() == 6

    sent_batches = []
    real_send = EmailBackend.send_messages

    def failing_second_batch(self, messages):
        sent_batches.append(len(messages))
        if len(sent_batches) == 2:
            raise OSError("mail server gone")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", failing_second_batch)
    mail.outbox.clear()
    with pytest.raises(OSError, match="mail server gone"):
        services.digests_send(batch=2)
    assert sent_batches == [2, 2]
    assert len(mail.outbox) == 2
    # the first batch is marked, the failed one and the rest are not; the
    # user without an address is never mailed
    assert InboxItem.objects.filter(emailed_at__isnull=True).count() == 4
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert services.digests_send(batch=2) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"f{k}@x.org" for k in range(5)]
    assert InboxItem.objects.filter(emailed_at__isnull=True).count() == 1
    for message in mail.outbox:
        user = next(u for u in users if u.email == message.to[0])
        token = message.body.rsplit("/alerts/unsubscribe/", 1)[1].strip().strip("/")
        assert services.digest_unsubscribe(token=token) == user
    assert services.digests_send(batch=2) == 0
