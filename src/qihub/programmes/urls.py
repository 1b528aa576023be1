from django.urls import path

from qihub.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("reported/", views.reported_review, name="reported_review"),
    path("reported/<int:pk>/review/", views.reported_decide, name="reported_decide"),
    path("statistics/", views.statistics_download, name="statistics"),
]
