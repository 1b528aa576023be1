from django.urls import path

from qihub.pool import views

app_name = "pool"

urlpatterns = [
    path("", views.pool, name="pool"),
    path("experts/add", views.expert_add, name="expert_add"),
    path("experts/<int:pk>/withdraw", views.expert_withdraw, name="expert_withdraw"),
    path("texts/add", views.held_text_add, name="held_text_add"),
    path("texts/<int:pk>/release", views.held_text_release, name="held_text_release"),
    path("networks/<int:pk>/", views.network_search, name="network_search"),
]
