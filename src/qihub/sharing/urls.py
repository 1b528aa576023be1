from django.urls import path

from qihub.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.status, name="status"),
    path("identity", views.identity_set, name="identity_set"),
    path("members/register", views.member_register, name="member_register"),
    path("members/<int:pk>/accept", views.member_accept, name="member_accept"),
    path("members/<int:pk>/remove", views.member_remove, name="member_remove"),
    path("key/rotate", views.key_rotate, name="key_rotate"),
    path("publishing", views.publishing_set, name="publishing_set"),
]
