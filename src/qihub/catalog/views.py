from django.shortcuts import get_object_or_404, render

from qihub.catalog.models import Standard


def home(request):
    return render(request, "catalog/home.html")


def standard_list(request):
    return render(
        request,
        "catalog/standard_list.html",
        {"standards": Standard.objects.all()[:20]},
    )


def standard_detail(request, pk):
    return render(
        request,
        "catalog/standard_detail.html",
        {"standard": get_object_or_404(Standard, pk=pk)},
    )


def ics_browse(request):
    return render(request, "catalog/ics_browse.html")
