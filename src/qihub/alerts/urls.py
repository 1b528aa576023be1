from django.urls import path

from qihub.alerts import feeds, views

app_name = "alerts"

urlpatterns = [
    path("", views.watch_list, name="watch_list"),
    path("watches/<int:pk>/delete/", views.watch_delete, name="watch_delete"),
    path("follow/<int:pk>/", views.follow_button, name="follow"),
    path("inbox/", views.inbox, name="inbox"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("export.<fmt>", views.export, name="export"),
    path(
        "feeds/standards/<str:kind>/",
        feeds.StandardsFeed(),
        name="feed_standards",
    ),
    path("feeds/consultations/", feeds.ConsultationsFeed(), name="feed_consultations"),
    path(
        "feeds/organisations/<int:pk>/",
        feeds.OrganisationFeed(),
        name="feed_organisation",
    ),
    path("feeds/watches/<str:token>/", feeds.WatchListFeed(), name="feed_watches"),
]
