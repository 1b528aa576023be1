from django.urls import path

from qihub.core import views

app_name = "core"

urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/", views.token_create, name="token_create"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path(
        "imports/<int:pk>/progress/",
        views.import_job_progress,
        name="import_job_progress",
    ),
]
