""" "Double random" (双随机) spot checks: random declarations, random inspectors.

``draw`` is pure: given the candidate declarations and inspectors in a
deterministic order and the plan's seed, it always returns the same sample
and assignment. The services around it record plans, draws and findings.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.declarations.models import (
    Declaration,
    Inspector,
    Notice,
    SpotCheck,
    SpotCheckPlan,
)
from qihub.declarations.selectors import region_filter
from qihub.organisations.models import Organisation, Region


@dataclass(frozen=True)
class Candidate:
    """A published declaration that may be drawn."""

    declaration_id: int
    version_id: int
    organisation_id: int
    enterprise_name: str
    region: str
    industry: str


@dataclass(frozen=True)
class Examiner:
    """An inspector who may be assigned, with the organisation they belong to."""

    inspector_id: int
    organisation_id: int


@dataclass(frozen=True)
class Draw:
    """One drawn declaration and the inspector assigned (None when nobody is free of conflict)."""

    candidate: Candidate
    inspector_id: int | None
    stratum: str


def conflicted(examiner: Examiner, candidate: Candidate) -> bool:
    """An inspector never checks an enterprise that is their own organisation.

    Organisations are compared, not names: two spellings of one party are
    one organisation in the registry, two parties of similar names are two.
    """
    return examiner.organisation_id == candidate.organisation_id


def stratum_size(population: int, share: Decimal) -> int:
    """How many to draw from a stratum: ``share`` of it rounded up, at least one."""
    if population == 0:
        return 0
    return min(population, max(1, math.ceil(population * float(share))))


def draw(
    candidates: Sequence[Candidate],
    examiners: Sequence[Examiner],
    *,
    seed: int,
    share: Decimal,
) -> list[Draw]:
    """Draw ``share`` of each region × industry stratum, then an inspector for each.

    Candidates and examiners are sorted by id first, strata by name, so the
    result depends only on the data and the seed.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible from the published seed, by design
    strata: dict[str, list[Candidate]] = defaultdict(list)
    for c in sorted(candidates, key=lambda c: c.declaration_id):
        strata[f"{c.region} / {c.industry}"].append(c)
    pool = sorted(examiners, key=lambda e: e.inspector_id)
    result = []
    for name in sorted(strata):
        members = strata[name]
        for c in rng.sample(members, stratum_size(len(members), share)):
            allowed = [e for e in pool if not conflicted(e, c)]
            chosen = rng.choice(allowed).inspector_id if allowed else None
            result.append(Draw(candidate=c, inspector_id=chosen, stratum=name))
    return result


def candidates_for(plan: SpotCheckPlan) -> list[Candidate]:
    """The published declarations in the plan's regions and industries.

    A plan's region is a division name or code as staff typed it; it covers
    the divisions inside it (a province its cities and counties). Strata are
    named by the division's name.
    """
    qs = Declaration.objects.filter(status=Declaration.Status.PUBLISHED)
    if plan.regions:
        cond = Q(pk__in=[])
        for text in plan.regions:
            cond |= region_filter(text)
        qs = qs.filter(cond)
    if plan.industries:
        qs = qs.filter(industry__in=plan.industries)
    rows = list(
        qs.order_by("pk").values_list(
            "pk",
            "current_version_id",
            "enterprise__organisation_id",
            "enterprise__organisation__name_zh",
            "enterprise__organisation__name_en",
            "region",
            "industry",
        )
    )
    names = dict(
        Region.objects.filter(code__in={r[5] for r in rows if r[5]}).values_list(
            "code", "name_zh"
        )
    )
    return [
        Candidate(pk, version, org, zh or en, names.get(region, region), industry)
        for pk, version, org, zh, en, region, industry in rows
    ]


def examiners() -> list[Examiner]:
    return [
        Examiner(*row)
        for row in Inspector.objects.filter(active=True)
        .order_by("pk")
        .values_list("pk", "organisation_id")
    ]


def _share(value) -> Decimal:
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        share = Decimal(-1)
    if not (Decimal(0) < share <= Decimal(1)):
        raise ApplicationError(
            _(
                "The share must be a number above 0 and at most 1 (for example 0.05 for 5%)."
            ),
            details={"share": 1},
        )
    return share


@transaction.atomic
def inspector_create(
    *, actor, name: str, organisation: Organisation | None, user=None
) -> Inspector:
    """Add an inspector, working for ``organisation``, to the pool the draws
    choose from."""
    require_staff(actor)
    if not (name or "").strip():
        raise ApplicationError(
            _("Give the inspector's name."), details={"name": [_("Required.")]}
        )
    if organisation is None:
        raise ApplicationError(
            _("Give the organisation the inspector works for."),
            details={"organisation": [_("Required.")]},
        )
    return Inspector.objects.create(
        name=name.strip(), organisation=organisation, user=user
    )


@transaction.atomic
def spotcheck_plan_create(
    *,
    actor,
    name: str,
    share,
    seed: int | None = None,
    regions: Sequence[str] = (),
    industries: Sequence[str] = (),
) -> SpotCheckPlan:
    """Record a spot-check plan; the seed is chosen now (or given) and kept."""
    require_staff(actor)
    if not name.strip():
        raise ApplicationError(_("Give the plan a name."), details={"name": 1})
    if seed is None:
        seed = secrets.randbelow(2**62)
    return SpotCheckPlan.objects.create(
        name=name.strip(),
        share=_share(share),
        seed=int(seed),
        regions=[r.strip() for r in regions if r.strip()],
        industries=[i.strip() for i in industries if i.strip()],
        created_by=recorded(actor),
    )


@transaction.atomic
def spotcheck_draw(*, actor, plan: SpotCheckPlan) -> list[SpotCheck]:
    """Draw the plan's sample and inspectors (once; re-drawing is ``draw`` with the seed)."""
    require_staff(actor)
    plan = SpotCheckPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != SpotCheckPlan.Status.DRAFT:
        raise Conflict(_("This plan has been drawn already; its draw cannot change."))
    drawn = draw(candidates_for(plan), examiners(), seed=plan.seed, share=plan.share)
    if not drawn:
        raise ApplicationError(
            _("No published declaration matches the plan's regions and industries.")
        )
    checks = SpotCheck.objects.bulk_create(
        [
            SpotCheck(
                plan=plan,
                declaration_id=d.candidate.declaration_id,
                version_id=d.candidate.version_id,
                inspector_id=d.inspector_id,
                stratum=d.stratum[:210],
                position=n,
            )
            for n, d in enumerate(drawn, start=1)
        ]
    )
    plan.status = SpotCheckPlan.Status.DRAWN
    plan.drawn_at = timezone.now()
    plan.save(update_fields=["status", "drawn_at", "updated_at"])
    return checks


@transaction.atomic
def spotcheck_record(
    *,
    actor,
    check: SpotCheck,
    outcome: str,
    items: Sequence[str] = (),
    note: str = "",
    deadline: datetime.date | None = None,
) -> SpotCheck:
    """Record an inspector's finding: conforming, or non-conforming with the
    items found and a rectification deadline. The enterprise is told."""
    require_staff(actor)
    check = (
        SpotCheck.objects.select_for_update()
        .select_related("declaration")
        .get(pk=check.pk)
    )
    items = [i.strip() for i in items if i and i.strip()]
    if outcome == SpotCheck.Outcome.CONFORMING:
        items, deadline = [], None
    elif outcome == SpotCheck.Outcome.NONCONFORMING:
        if not items:
            raise ApplicationError(
                _("List the non-conforming items."), details={"items": 1}
            )
        if deadline is None or deadline <= timezone.localdate():
            raise ApplicationError(
                _("Give a rectification deadline after today."), details={"deadline": 1}
            )
    else:
        raise ApplicationError(_("The finding must be conforming or non-conforming."))
    if check.outcome == SpotCheck.Outcome.RECTIFIED:
        raise Conflict(_("This check is closed: the enterprise has rectified."))
    check.outcome = outcome
    check.items = items
    check.note = note.strip()
    check.deadline = deadline
    check.save()
    Notice.objects.create(
        enterprise_id=check.declaration.enterprise_id,
        declaration=check.declaration,
        kind=Notice.Kind.SPOT_CHECK,
        subject=(
            _("Spot check of %(product)s: %(outcome)s")
            % {
                "product": check.declaration.product_name,
                "outcome": check.get_outcome_display(),
            }
        )[:300],
        body="\n".join(items),
        details={
            "plan": check.plan_id,
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    return check


@transaction.atomic
def spotcheck_rectify(
    *, actor, check: SpotCheck, on: datetime.date | None = None
) -> SpotCheck:
    """Close a non-conforming finding as rectified."""
    require_staff(actor)
    check = SpotCheck.objects.select_for_update().get(pk=check.pk)
    if check.outcome != SpotCheck.Outcome.NONCONFORMING:
        raise Conflict(_("Only a non-conforming finding can be rectified."))
    check.outcome = SpotCheck.Outcome.RECTIFIED
    check.rectified_on = on or timezone.localdate()
    check.save(update_fields=["outcome", "rectified_on", "updated_at"])
    return check


@transaction.atomic
def spotcheck_plan_publish(*, actor, plan: SpotCheckPlan) -> SpotCheckPlan:
    """Publish the plan's results once every drawn declaration has a finding."""
    require_staff(actor)
    plan = SpotCheckPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != SpotCheckPlan.Status.DRAWN:
        raise Conflict(_("Only a drawn plan can have its results published."))
    if plan.checks.filter(outcome=SpotCheck.Outcome.PENDING).exists():
        raise Conflict(
            _("Record a finding for every drawn declaration before publishing.")
        )
    plan.status = SpotCheckPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at", "updated_at"])
    return plan
