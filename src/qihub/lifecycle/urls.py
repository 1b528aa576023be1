from django.urls import path

from qihub.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("", views.index, name="index"),
]
