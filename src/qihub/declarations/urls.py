from django.urls import path

from qihub.declarations import views

app_name = "declarations"

urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.register, name="register"),
    path("imports/", views.declarations_import, name="declarations_import"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.declaration_new, name="declaration_new"),
    path("indicators/propose/", views.indicators_propose, name="indicators_propose"),
    path("<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("<int:pk>/edit/", views.declaration_edit, name="declaration_edit"),
    path("<int:pk>/submit/", views.declaration_submit, name="declaration_submit"),
    path("<int:pk>/withdraw/", views.declaration_withdraw, name="declaration_withdraw"),
    path("<int:pk>/recheck/", views.declaration_recheck, name="declaration_recheck"),
    path("enterprises/new/", views.enterprise_new, name="enterprise_new"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("spot-checks/", views.spotcheck_list, name="spotcheck_list"),
    path("spot-checks/<int:pk>/", views.spotcheck_detail, name="spotcheck_detail"),
    path(
        "spot-checks/<int:pk>/<str:action>/",
        views.spotcheck_action,
        name="spotcheck_action",
    ),
    path(
        "spot-check-items/<int:pk>/", views.spotcheck_finding, name="spotcheck_finding"
    ),
    path("forerunners/", views.forerunner_list, name="forerunner_list"),
    path("forerunners/<int:pk>/", views.forerunner_detail, name="forerunner_detail"),
    path(
        "forerunners/<int:pk>/<str:action>/",
        views.forerunner_action,
        name="forerunner_action",
    ),
]
