"""The bulk re-check of every published declaration citing a standard that changed,
and the notices it leaves.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateTimeField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.catalog.models import Standard
from qihub.declarations import declaration_checks
from qihub.declarations.models import (
    CheckRun,
    Declaration,
    DeclarationVersion,
    DeclaredStandard,
    Notice,
)

#: Rows per statement in the bulk re-check.
RECHECK_CHUNK = 5000


# --- the bulk re-check when a cited standard changes -------------------------------


def declarations_recheck_for_standard(*, standard: Standard) -> int:
    """Re-check every declaration version citing ``standard`` after its status changed.

    Set-based, for hundreds of thousands of declarations: the standard's flag
    and replacement are computed once; one UPDATE sets them on the citation
    table. The affected versions (published or draft, found through the
    citation index) are then processed in id-range chunks: per distinct
    stored result, one UPDATE writes the new results (only this standard's
    citation items change; other findings stay); one INSERT ... SELECT
    records a ``CheckRun`` per version; one UPDATE copies the status to the
    declarations. Finally one INSERT ... SELECT leaves one inbox notice per
    affected enterprise. Returns the number of versions re-checked.
    """
    standard = Standard.objects.get(pk=standard.pk)
    flag, replacement = declaration_checks.citation_flag(standard, standard.identifier)
    item = declaration_checks.citation_item(
        flag, standard.identifier, replacement, standard.status
    )
    live = [DeclarationVersion.Status.PUBLISHED, DeclarationVersion.Status.DRAFT]
    now = timezone.now()

    def new_results(old: list) -> list:
        items = [
            i
            for i in (old or [])
            if not (
                i.get("code") in declaration_checks.STANDARD_CODES
                and i.get("identifier") == standard.identifier
            )
        ]
        if item is not None:
            items.append(item)
        return items

    citing = DeclaredStandard.objects.filter(standard=standard).values("version_id")
    affected = DeclarationVersion.objects.filter(pk__in=citing, status__in=live)
    total = 0
    with transaction.atomic():
        DeclaredStandard.objects.filter(standard=standard).update(
            flag=flag, replacement=replacement
        )
        ids = list(affected.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), RECHECK_CHUNK):
            low, high = ids[start], ids[min(start + RECHECK_CHUNK, len(ids)) - 1]
            # Narrow the citation subquery itself to the id range, so each
            # chunk reads only its slice of the (standard, version) index.
            chunk = DeclarationVersion.objects.filter(
                pk__in=DeclaredStandard.objects.filter(
                    standard=standard, version_id__gte=low, version_id__lte=high
                ).values("version_id"),
                pk__gte=low,
                pk__lte=high,
                status__in=live,
            )
            olds = list(
                chunk.order_by().values_list("check_results", flat=True).distinct()
            )
            for old in olds:
                items = new_results(old)
                chunk.filter(check_results=old).update(
                    check_results=items,
                    check_status=declaration_checks.status_for(items),
                    checked_at=now,
                )
            _checkruns_insert(chunk, now)
            Declaration.objects.filter(
                status=Declaration.Status.PUBLISHED,
                current_version__in=chunk.filter(
                    status=DeclarationVersion.Status.PUBLISHED
                ),
            ).update(
                check_status=Subquery(
                    DeclarationVersion.objects.filter(pk=OuterRef("current_version_id"))
                    .order_by()
                    .values("check_status")[:1]
                )
            )
            total += min(start + RECHECK_CHUNK, len(ids)) - start
        _notices_insert(standard, item, affected)
    return total


def _checkruns_insert(versions: QuerySet, now) -> None:
    """Record a ``CheckRun`` for each of ``versions`` with one INSERT ... SELECT."""
    select, params = (
        versions.order_by()
        .annotate(
            run_at=Value(now, output_field=DateTimeField()),
            run_trigger=Value(CheckRun.Trigger.STANDARD_CHANGED.value),
        )
        .values_list("pk", "run_at", "run_trigger", "check_status", "check_results")
        .query.sql_with_params()
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {CheckRun._meta.db_table} "
            f"(version_id, created_at, trigger, check_status, results) {select}",
            params,
        )


def _notices_insert(standard: Standard, item: dict | None, versions: QuerySet) -> None:
    """One inbox notice per enterprise with a declaration among ``versions``."""
    subject = (
        _("%(identifier)s changed: your declarations citing it were re-checked")
        % {"identifier": standard.identifier}
    )[:300]
    body = (
        declaration_checks.issue_message(item)
        if item
        else _("%(identifier)s is in force.") % {"identifier": standard.identifier}
    )
    details = {"standard": standard.identifier, "status": standard.status}
    select, params = (
        Declaration.objects.filter(pk__in=versions.values("declaration_id"))
        .order_by()
        .values("enterprise_id")
        .annotate(
            n=Count("pk"),
            kind=Value(Notice.Kind.STANDARD_CHANGED.value),
            subject=Value(subject),
            body=Value(body),
            details=Value(details, output_field=JSONField()),
            created_at=Value(timezone.now(), output_field=DateTimeField()),
        )
        .values_list(
            "enterprise_id", "kind", "subject", "body", "details", "created_at"
        )
        .query.sql_with_params()
    )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Notice._meta.db_table} "
            f"(enterprise_id, kind, subject, body, details, created_at) {select}",
            params,
        )
