from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from zongzhi.api import api
from zongzhi.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    # Residents on the portal switch language too, without signing in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("system/status/", core_views.status, name="system_status"),
    path("accounts/", include("zongzhi.accounts.urls")),
    path("regions/", include("zongzhi.regions.urls")),
    path("units/", include("zongzhi.units.urls")),
    path("cases/", include("zongzhi.cases.urls")),
    path("intake/", include("zongzhi.intake.urls")),
    path("hazards/", include("zongzhi.hazards.urls")),
    path("screening/", include("zongzhi.screening.urls")),
    path("briefings/", include("zongzhi.briefings.urls")),
    path("ledgers/", include("zongzhi.ledgers.urls")),
    path("care/", include("zongzhi.care.urls")),
    path("analytics/", include("zongzhi.analytics.urls")),
    path("notifications/", include("zongzhi.notifications.urls")),
    path("portal/", include("zongzhi.portal.urls")),
    path("open311/v2/", include("zongzhi.open311.urls")),
    path("api/", api.urls),
    path("audit/", include("zongzhi.core.urls")),
    path("", include("zongzhi.home.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# An unhandled failure on an API or Open311 address is answered in JSON (api_errors).
handler500 = "zongzhi.api_errors.server_error"
