from django.urls import path

from qihub.catalog import views
from qihub.catalog.validity import views as validity_views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.standard_list, name="standard_list"),
    path("catalog/standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path(
        "catalog/standards/<int:pk>/withdraw/",
        views.standard_withdraw,
        name="standard_withdraw",
    ),
    path(
        "catalog/standards/<int:pk>/replace/",
        views.standard_replace,
        name="standard_replace",
    ),
    path("catalog/ics/", views.ics_browse, name="ics_browse"),
    path("catalog/imports/", views.standards_import, name="standards_import"),
    path("catalog/validity/", validity_views.validity_check, name="validity_check"),
    path(
        "catalog/validity/export.<str:fmt>",
        validity_views.validity_export,
        name="validity_export",
    ),
    path("catalog/validity/save/", validity_views.validity_save, name="validity_save"),
    path("catalog/validity/saved/", validity_views.validity_list, name="validity_list"),
    path(
        "catalog/validity/saved/<int:pk>/",
        validity_views.validity_detail,
        name="validity_detail",
    ),
    path(
        "catalog/validity/saved/<int:pk>/rerun/",
        validity_views.validity_rerun,
        name="validity_rerun",
    ),
    path(
        "catalog/validity/saved/<int:pk>/export.<str:fmt>",
        validity_views.validity_saved_export,
        name="validity_saved_export",
    ),
]
