from django.urls import path

from qihub.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.standard_list, name="standard_list"),
    path("catalog/standards/<int:pk>/", views.standard_detail, name="standard_detail"),
    path(
        "catalog/standards/<int:pk>/withdraw/",
        views.standard_withdraw,
        name="standard_withdraw",
    ),
    path(
        "catalog/standards/<int:pk>/replace/",
        views.standard_replace,
        name="standard_replace",
    ),
    path("catalog/ics/", views.ics_browse, name="ics_browse"),
]
