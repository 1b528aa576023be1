from django.urls import path

from qihub.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.status, name="status"),
]
