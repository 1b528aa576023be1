from django.urls import path

from qihub.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.index, name="index"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/draft/", views.project_draft, name="project_draft"),
    path(
        "projects/<int:pk>/draft/download/",
        views.project_draft_download,
        name="project_draft_download",
    ),
    path(
        "projects/<int:pk>/transition/",
        views.project_transition,
        name="project_transition",
    ),
    path(
        "consultations/<int:pk>/",
        views.consultation_detail,
        name="consultation_detail",
    ),
    path(
        "consultations/<int:pk>/resolve/",
        views.consultation_resolve,
        name="consultation_resolve",
    ),
    path(
        "consultations/<int:pk>/comments.csv",
        views.consultation_export,
        {"fmt": "csv"},
        name="consultation_export_csv",
    ),
    path(
        "consultations/<int:pk>/comments.xlsx",
        views.consultation_export,
        {"fmt": "xlsx"},
        name="consultation_export_xlsx",
    ),
    path("comments/<int:pk>/resolve/", views.comment_resolve, name="comment_resolve"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("patents/new/", views.patent_new, name="patent_new"),
    path(
        "patents/<int:pk>/holder/",
        views.patent_link_holder,
        name="patent_link_holder",
    ),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("research/", views.research_list, name="research_list"),
    path("research/new/", views.research_create, name="research_create"),
    path("research/<int:pk>/", views.research_detail, name="research_detail"),
    path("standards/<int:pk>/panel/", views.standard_panel, name="standard_panel"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/track/", views.feedback_track, name="feedback_track"),
    path("feedback/<int:pk>/handle/", views.feedback_handle, name="feedback_handle"),
    path(
        "reviews/<int:pk>/",
        views.periodic_review,
        name="periodic_review",
    ),
]
