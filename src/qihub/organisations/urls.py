from django.urls import path

from qihub.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/<int:pk>/", views.network_detail, name="network_detail"),
    path("pick/", views.pick, name="pick"),
    path("pick/choose/", views.pick_choose, name="pick_choose"),
    path("pick/new/", views.pick_new, name="pick_new"),
]
