from django.urls import path

from qihub.international import views

app_name = "international"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("talents/", views.talents, name="talents"),
    path("talents/<int:pk>/", views.course_detail, name="course_detail"),
    path("comparison/", views.comparison, name="comparison"),
    path("comparison.xlsx", views.comparison_export, name="comparison_export"),
    path("tbt/", views.tbt_list, name="tbt_list"),
    path("tbt/<int:pk>/", views.tbt_detail, name="tbt_detail"),
]
