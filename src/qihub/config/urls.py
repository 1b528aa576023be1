from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qihub.config.api import api

urlpatterns = [
    path("", include("qihub.catalog.urls")),
    path("requirements/", include("qihub.requirements.urls")),
    path("lifecycle/", include("qihub.lifecycle.urls")),
    path("declarations/", include("qihub.declarations.urls")),
    path("metrology/", include("qihub.metrology.urls")),
    path("conformity/", include("qihub.conformity.urls")),
    path("organisations/", include("qihub.organisations.urls")),
    path("account/", include("qihub.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

admin.site.site_header = "qihub"
admin.site.site_title = "qihub"
