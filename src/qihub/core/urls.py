from django.urls import path

from qihub.core import views

app_name = "core"

urlpatterns = [
    path("", views.account, name="account"),
    path("tokens/", views.token_create, name="token_create"),
]
