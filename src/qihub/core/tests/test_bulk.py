"""core.bulk.rows_insert: rows in their database form, conflicts skipped
only when asked."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from qihub.alerts.models import InboxItem
from qihub.alerts.services import ITEM_FIELDS as FIELDS
from qihub.core.bulk import db_datetime, rows_insert


@pytest.mark.django_db
def test_rows_insert_writes_and_skips_duplicates_when_asked():
    user = get_user_model().objects.create(username="bulk")
    now = db_datetime(timezone.now())
    rows = [
        (user.pk, "notice", f"s{i}", "", "", None, None, f"e{i}", now) for i in range(3)
    ]
    rows_insert(InboxItem, FIELDS, rows)
    assert InboxItem.objects.filter(user=user).count() == 3
    # the same events again, and one new: only the new one goes in
    rows_insert(
        InboxItem,
        FIELDS,
        [*rows, (user.pk, "notice", "s9", "", "", None, None, "e9", now)],
        ignore_conflicts=True,
    )
    assert sorted(InboxItem.objects.values_list("dedupe", flat=True)) == [
        "e0",
        "e1",
        "e2",
        "e9",
    ]
    item = InboxItem.objects.get(dedupe="e9")
    assert item.read_at is None
    assert item.created_at is not None


@pytest.mark.django_db
def test_rows_insert_refuses_duplicates_by_default():
    user = get_user_model().objects.create(username="bulk2")
    now = db_datetime(timezone.now())
    row = (user.pk, "notice", "s", "", "", None, None, "e", now)
    rows_insert(InboxItem, FIELDS, [row])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(InboxItem, FIELDS, [row])
    assert InboxItem.objects.filter(user=user).count() == 1
