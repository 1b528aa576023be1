from django.urls import path

from qihub.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<int:pk>/designations/", views.designation_add, name="designation_add"),
    path("<int:pk>/users/", views.organisation_user_add, name="user_add"),
    path("<int:pk>/users/role/", views.organisation_user_role, name="user_role"),
    path("<int:pk>/users/remove/", views.organisation_user_remove, name="user_remove"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<int:pk>/", views.network_detail, name="network_detail"),
    path("networks/<int:pk>/members/", views.network_member_join, name="member_join"),
    path(
        "networks/<int:pk>/members/leave/",
        views.network_member_leave,
        name="member_leave",
    ),
    path(
        "networks/<int:pk>/secretariat/",
        views.secretariat_assign,
        name="secretariat_assign",
    ),
    path("networks/<int:pk>/meetings/", views.meeting_record, name="meeting_record"),
    path(
        "networks/<int:pk>/announcements/",
        views.announcement_publish,
        name="announcement_publish",
    ),
    path("pick/", views.pick, name="pick"),
    path("pick/choose/", views.pick_choose, name="pick_choose"),
    path("pick/new/", views.pick_new, name="pick_new"),
]
