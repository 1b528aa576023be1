from django.urls import path

from qihub.metrology import views

app_name = "metrology"

urlpatterns = [
    path("", views.index, name="index"),
]
