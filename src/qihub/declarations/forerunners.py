"""Enterprise-standard forerunners (企业标准领跑者): rank declared indicator levels.

The ranking method, also explained on the evaluation page:

1. Candidates are the published declarations of the category whose automatic
   checks found no problem.
2. For each chosen indicator, every candidate's declared value is converted
   to one unit; candidates are ordered best first (highest first for "higher
   is better", lowest first for "lower is better") and score
   ``(n - rank) / n`` points (the best scores 1; ties share the better rank;
   a candidate that does not declare the indicator scores 0).
3. The total is the weighted mean of the indicator scores; ties are broken
   by the earlier publication. The top ``leaders`` are the forerunners.
4. Each value is shown beside the mandatory national limit for the
   parameter, with the margin by which it is better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qihub.core.actors import recorded, require_staff
from qihub.core.errors import ApplicationError, Conflict
from qihub.declarations.models import Declaration, ForerunnerEvaluation, Indicator

DIRECTIONS = ("higher", "lower")


def _clean_indicators(indicators: Sequence[Mapping]) -> list[dict]:
    cleaned = []
    for n, raw in enumerate(indicators, start=1):
        parameter = str(raw.get("parameter") or "").strip()
        if not parameter:
            continue
        direction = str(raw.get("direction") or "").strip()
        if direction not in DIRECTIONS:
            raise ApplicationError(
                _("Indicator %(n)d (%(p)s): the direction must be higher or lower.")
                % {"n": n, "p": parameter}
            )
        try:
            weight = float(raw.get("weight") or 1)
        except (TypeError, ValueError):
            weight = -1
        if weight <= 0:
            raise ApplicationError(
                _("Indicator %(n)d (%(p)s): the weight must be a positive number.")
                % {"n": n, "p": parameter}
            )
        cleaned.append(
            {"parameter": parameter, "direction": direction, "weight": weight}
        )
    if not cleaned:
        raise ApplicationError(_("Choose at least one core indicator."))
    return cleaned


@transaction.atomic
def forerunner_create(
    *, actor, category: str, title: str, indicators: Sequence[Mapping], leaders: int = 3
) -> ForerunnerEvaluation:
    """Set up an evaluation: the category, its core indicators and their direction."""
    require_staff(actor)
    if not category.strip() or not title.strip():
        raise ApplicationError(_("Give the product category and a title."))
    if leaders < 1:
        raise ApplicationError(_("There must be at least one leader."))
    return ForerunnerEvaluation.objects.create(
        category=category.strip(),
        title=title.strip(),
        indicators=_clean_indicators(indicators),
        leaders=leaders,
        created_by=recorded(actor),
    )


def _to_unit(value: Decimal, unit: str, target: str) -> Decimal | None:
    if unit == target or not target:
        return value
    from qihub.requirements import units

    try:
        return units.convert(value, unit, target)
    except units.UnitError:
        return None


def mandatory_limits(category: str, parameters: Sequence[str]) -> dict[str, dict]:
    """The strictest mandatory national limit per parameter for the category."""
    from qihub.requirements.selectors import mandatory_requirements

    limits: dict[str, dict] = {}
    for req in mandatory_requirements(subject=category).filter(
        parameter__key__in=parameters
    ):
        if req.operator not in ("<=", "<", ">=", ">") or req.value is None:
            continue
        limits.setdefault(
            req.parameter.key,
            {
                "operator": req.operator,
                "value": f"{Decimal(req.value).normalize():f}",
                "unit": req.unit,
                "standard": req.standard.identifier,
            },
        )
    return limits


def rank(evaluation: ForerunnerEvaluation) -> list[dict]:
    """Score and order the category's declarations (see the module docstring)."""
    decls = list(
        Declaration.objects.filter(
            status=Declaration.Status.PUBLISHED,
            category__iexact=evaluation.category,
            check_status=Declaration.Check.OK,
        )
        .select_related("enterprise__organisation", "current_version")
        .order_by("published_at", "pk")
    )
    params = [i["parameter"] for i in evaluation.indicators]
    limits = mandatory_limits(evaluation.category, params)
    version_ids = [d.current_version_id for d in decls]
    values: dict[tuple[int, str], tuple[Decimal, str]] = {}
    for ind in Indicator.objects.filter(
        version_id__in=version_ids, parameter__in=params
    ):
        values.setdefault((ind.version_id, ind.parameter), (ind.value, ind.unit))
    standards: dict[int, list[str]] = {}
    from qihub.declarations.models import DeclaredStandard

    for vid, ident in DeclaredStandard.objects.filter(
        version_id__in=version_ids
    ).values_list("version_id", "identifier"):
        standards.setdefault(vid, []).append(ident)
    n = len(decls)
    scores = {d.pk: 0.0 for d in decls}
    shown: dict[int, dict] = {d.pk: {} for d in decls}
    total_weight = sum(i["weight"] for i in evaluation.indicators) or 1.0
    for ind in evaluation.indicators:
        p = ind["parameter"]
        limit = limits.get(p)
        target = limit["unit"] if limit else ""
        converted = []
        for d in decls:
            entry = values.get((d.current_version_id, p))
            if entry is None:
                continue
            number = _to_unit(entry[0], entry[1], target or entry[1])
            if number is None:
                continue
            target = target or entry[1]
            converted.append((number, d.pk))
            margin = None
            if limit:
                lim = Decimal(limit["value"])
                if lim:
                    diff = (
                        (number - lim)
                        if ind["direction"] == "higher"
                        else (lim - number)
                    )
                    margin = f"{(diff / abs(lim) * 100):.1f}"
            shown[d.pk][p] = {
                "value": f"{number.normalize():f}",
                "unit": target,
                "limit": limit,
                "margin_percent": margin,
            }
        reverse = ind["direction"] == "higher"
        converted.sort(key=lambda t: t[0], reverse=reverse)
        rank_of_value: dict[Decimal, int] = {}
        for position, (number, _pk) in enumerate(converted):
            rank_of_value.setdefault(number, position)
        for number, pk in converted:
            scores[pk] += ind["weight"] * (n - rank_of_value[number]) / n
    ranked = sorted(decls, key=lambda d: -scores[d.pk])
    return [
        {
            "rank": position,
            "declaration": d.pk,
            "enterprise": d.enterprise.name,
            "credit_code": d.enterprise.credit_code,
            "organisation": d.enterprise.organisation_id,
            "product": d.product_name,
            "standards": standards.get(d.current_version_id, []),
            "score": round(scores[d.pk] / total_weight, 4),
            "values": shown[d.pk],
            "leader": position <= evaluation.leaders,
        }
        for position, d in enumerate(ranked, start=1)
    ]


@transaction.atomic
def forerunner_compute(
    *, actor, evaluation: ForerunnerEvaluation
) -> ForerunnerEvaluation:
    """Rank the category's declarations now (again, until published)."""
    require_staff(actor)
    evaluation = ForerunnerEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status == ForerunnerEvaluation.Status.PUBLISHED:
        raise Conflict(_("A published leaders list is final; start a new evaluation."))
    results = rank(evaluation)
    if not results:
        raise ApplicationError(
            _("No published declaration without problems in category %(c)s.")
            % {"c": evaluation.category}
        )
    evaluation.results = results
    evaluation.status = ForerunnerEvaluation.Status.COMPUTED
    evaluation.computed_at = timezone.now()
    evaluation.save(update_fields=["results", "status", "computed_at", "updated_at"])
    return evaluation


@transaction.atomic
def forerunner_publish(
    *, actor, evaluation: ForerunnerEvaluation
) -> ForerunnerEvaluation:
    """Publish the computed leaders list."""
    require_staff(actor)
    evaluation = ForerunnerEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != ForerunnerEvaluation.Status.COMPUTED:
        raise Conflict(_("Compute the ranking before publishing it."))
    evaluation.status = ForerunnerEvaluation.Status.PUBLISHED
    evaluation.published_at = timezone.now()
    evaluation.save(update_fields=["status", "published_at", "updated_at"])
    return evaluation
