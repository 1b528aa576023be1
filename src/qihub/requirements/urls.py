from django.urls import path

from qihub.requirements import views

app_name = "requirements"

urlpatterns = [
    path("", views.index, name="index"),
]
