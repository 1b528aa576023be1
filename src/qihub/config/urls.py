from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve

from qihub.config.api import api

urlpatterns = [
    path("", include("qihub.catalog.urls")),
    path("requirements/", include("qihub.requirements.urls")),
    path("lifecycle/", include("qihub.lifecycle.urls")),
    path("declarations/", include("qihub.declarations.urls")),
    path("metrology/", include("qihub.metrology.urls")),
    path("international/", include("qihub.international.urls")),
    path("conformity/", include("qihub.conformity.urls")),
    path("organisations/", include("qihub.organisations.urls")),
    path("programmes/", include("qihub.programmes.urls")),
    path("alerts/", include("qihub.alerts.urls")),
    path("sharing/", include("qihub.sharing.urls")),
    path("pool/", include("qihub.pool.urls")),
    path("account/", include("qihub.core.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif not settings.PRODUCTION:
    # The embedded default serves its uploads itself (DEBUG is off there too).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]

handler400 = "qihub.core.error_pages.bad_request"
handler403 = "qihub.core.error_pages.permission_denied"
handler404 = "qihub.core.error_pages.page_not_found"
handler500 = "qihub.core.error_pages.server_error"

admin.site.site_header = "qihub"
admin.site.site_title = "qihub"
