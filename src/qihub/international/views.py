"""International standardization pages: technical bodies and posts,
projects with their stage, talents, the field comparison (with its XLSX
export) and TBT/SPS notifications with their matches and deadlines."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from qihub.core.errors import ApplicationError
from qihub.core.services import log
from qihub.international import comparison as cmp
from qihub.international import selectors, stages
from qihub.international.models import TbtMatch, TrainingCourse


def _page(request, qs, per_page: int = 25):
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def index(request):
    today = timezone.localdate()
    return render(
        request,
        "international/index.html",
        {
            "bodies": selectors.body_list().count(),
            "posts": selectors.posts_held_on(today).count(),
            "stage_counts": [
                (code, stages.stage_title(code + ".00"), n)
                for code, n in selectors.stage_counts().items()
            ],
            "talents": selectors.talents_overview(on=today),
            "deadlines": selectors.tbt_deadlines(on=today, limit=10),
        },
    )


def body_list(request):
    return render(
        request,
        "international/body_list.html",
        {"page": _page(request, selectors.body_list(q=request.GET.get("q", "")))},
    )


def body_detail(request, pk: int):
    try:
        body = selectors.body_detail(pk)
    except selectors.TechnicalBody.DoesNotExist:
        body = get_object_or_404(selectors.TechnicalBody, pk=pk)
    return render(
        request,
        "international/body_detail.html",
        {
            "body": body,
            "posts": selectors.body_posts(body),
            "projects": selectors.project_list().filter(body=body),
            "children": body.children.order_by("reference"),
            "today": timezone.localdate(),
        },
    )


def project_list(request):
    qs = selectors.project_list(
        stage=request.GET.get("stage", ""),
        q=request.GET.get("q", ""),
        active=request.GET.get("active") == "1",
    )
    return render(
        request,
        "international/project_list.html",
        {"page": _page(request, qs), "stage_choices": stages.stage_choices()},
    )


def project_detail(request, pk: int):
    try:
        project = selectors.project_detail(pk)
    except selectors.InternationalProject.DoesNotExist:
        project = get_object_or_404(selectors.InternationalProject, pk=pk)
    return render(request, "international/project_detail.html", {"project": project})


def talents(request):
    return render(
        request,
        "international/talents.html",
        {
            "overview": selectors.talents_overview(),
            "courses": selectors.course_list().order_by("-starts_on", "id"),
        },
    )


def course_detail(request, pk: int):
    course = get_object_or_404(
        TrainingCourse.objects.select_related("training_base"), pk=pk
    )
    return render(
        request,
        "international/course_detail.html",
        {"course": course, "trainees": selectors.course_trainees(course)},
    )


def _comparison_args(request) -> dict:
    return {
        "ics": request.GET.get("ics", ""),
        "ccs": request.GET.get("ccs", ""),
        "reference": request.GET.get("reference", "international") or "international",
    }


def comparison(request):
    args = _comparison_args(request)
    result, error = None, ""
    if args["ics"] or args["ccs"]:
        try:
            result = cmp.field_comparison(**args)
        except ApplicationError as exc:
            error = exc.message
    return render(
        request,
        "international/comparison.html",
        {"args": args, "result": result, "error": error},
        status=400 if error else 200,
    )


def comparison_export(request):
    args = _comparison_args(request)
    try:
        result = cmp.field_comparison(**args)
    except ApplicationError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain")
    log(
        action="export",
        actor=request.user if request.user.is_authenticated else None,
        target=f"international comparison {result.kind} {result.field}",
        request=request,
    )
    response = HttpResponse(
        cmp.comparison_xlsx(result),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"comparison-{result.kind}-{result.field}-{result.reference}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def tbt_list(request):
    today = timezone.localdate()
    qs = selectors.tbt_list(
        q=request.GET.get("q", ""), open_only=request.GET.get("open") == "1", on=today
    )
    return render(
        request,
        "international/tbt_list.html",
        {
            "page": _page(request, qs),
            "deadlines": selectors.tbt_deadlines(on=today, limit=10),
            "today": today,
        },
    )


def tbt_detail(request, pk: int):
    """A notification with its fields and cited standards, and the
    enterprises it touches, 50 a page (htmx swaps the page of enterprises)."""
    notification = get_object_or_404(selectors.TbtNotification, pk=pk)
    found = selectors.tbt_enterprises(notification)
    enterprises = Paginator(found.organisations(), 50).get_page(request.GET.get("page"))
    reasons = found.reasons(list(enterprises))
    context = {
        "n": notification,
        "enterprises": enterprises,
        "alerted": [(o, reasons[o.pk]) for o in enterprises],
        "today": timezone.localdate(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "international/_tbt_enterprises.html", context)
    matches = list(selectors.tbt_matches(notification))
    context["ics"] = [m for m in matches if m.kind == TbtMatch.Kind.ICS]
    context["standards"] = [m for m in matches if m.kind == TbtMatch.Kind.STANDARD]
    return render(request, "international/tbt_detail.html", context)
