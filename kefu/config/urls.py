from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from kefu.accounts import views as account_views

urlpatterns = [
    path("", account_views.home),
    path("accounts/", include("kefu.accounts.urls")),
    path("agent/", include("kefu.workspace.urls")),
    path("dashboard/", include("kefu.analytics.urls")),
    path("quality/", include("kefu.quality.urls")),
    path("portal/", include("kefu.portal.urls")),
    path("survey/", include("kefu.surveys.urls")),  # public satisfaction surveys, reached by a token link
    path("manage/email/", include("kefu.connectors.email.urls")),  # before manage/'s <section>/ catch-all
    path("manage/phone/", include("kefu.connectors.phone.urls")),  # before manage/'s <section>/ catch-all
    path("manage/", include("kefu.administration.urls")),
    path("api/", include("kefu.api.urls")),
    path("chat/", include("kefu.connectors.webchat.urls")),
    path("connectors/phone/", include("kefu.connectors.phone.hooks_urls")),  # CTI webhook: signed, no session
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
