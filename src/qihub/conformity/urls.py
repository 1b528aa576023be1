from django.urls import path

from qihub.conformity import views

app_name = "conformity"

urlpatterns = [
    path("", views.index, name="index"),
    path("capabilities/", views.capability_search, name="capabilities"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("bodies/<int:pk>/request/", views.request_new, name="request_new"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/move/", views.request_move, name="request_move"),
    path("requests/<int:pk>/report/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/revoke/", views.report_revoke, name="report_revoke"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("certificates/", views.certified_list, name="certified_list"),
    path("certificates/feed.atom", views.certified_feed, name="certified_feed"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path(
        "certificates/<int:pk>/status/",
        views.certificate_status,
        name="certificate_status",
    ),
    path("verify/", views.verify, name="verify"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/new/", views.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/apply/", views.application_new, name="application_new"),
    path(
        "applications/<int:pk>/",
        views.application_detail,
        name="application_detail",
    ),
]
