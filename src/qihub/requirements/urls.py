from django.urls import path

from qihub.requirements import views

app_name = "requirements"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:pk>/", views.document_read, name="document_read"),
    path(
        "documents/<int:pk>/glossary/",
        views.document_glossary,
        name="document_glossary",
    ),
    path(
        "documents/<int:pk>/export.<str:fmt>",
        views.document_export,
        name="document_export",
    ),
    path("import/", views.document_import, name="document_import"),
    path("list/", views.requirement_list, name="requirement_list"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/<str:action>/", views.review_action, name="review_action"),
    path("parameters/new/", views.parameters_new, name="parameters_new"),
    path(
        "parameters/<int:pk>/<str:action>/",
        views.parameter_resolve,
        name="parameter_resolve",
    ),
    path("check/", views.check, name="check"),
    path("compare/", views.compare, name="compare"),
]
