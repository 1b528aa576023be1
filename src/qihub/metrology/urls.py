from django.urls import path

from qihub.metrology import views

app_name = "metrology"

urlpatterns = [
    path("", views.index, name="index"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path(
        "standards/<int:pk>/status/",
        views.standard_set_status,
        name="standard_set_status",
    ),
    path(
        "standards/<int:pk>/assessment/",
        views.standard_reassess,
        name="standard_reassess",
    ),
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_register, name="instrument_register"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path(
        "instruments/<int:pk>/retire/",
        views.instrument_retire,
        name="instrument_retire",
    ),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/new/", views.certificate_record, name="certificate_record"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path(
        "certificates/<int:pk>/revoke/",
        views.certificate_revoke,
        name="certificate_revoke",
    ),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<int:pk>/dcc.xml", views.certificate_dcc, name="certificate_dcc"
    ),
    path(
        "certificates/verify/<path:number>/",
        views.certificate_verify,
        name="certificate_verify",
    ),
    path("dcc/import/", views.dcc_import, name="dcc_import"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.csv", views.coverage_csv, name="coverage_csv"),
    path("registries/", views.registries, name="registries"),
]
