"""The REST API (django-ninja): one NinjaAPI, a router per domain, the OpenAPI document at
/api/openapi.json and its reader at /api/docs. Signed-in users reach it with their session
for now; tokens per system or user come with the API issue.

The site's LoginRequiredMiddleware would answer an anonymous API call with a redirect to
the login page; the API's operations are exempt from it and answer 401 in JSON instead
(every operation still requires authentication through `auth`). The OpenAPI document and
its reader stay behind the login."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.security import django_auth

from zongzhi.care.api import router as care_router

_DOCUMENT_NAMES = {"openapi-json", "openapi-view"}


class Api(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern) and url.name not in _DOCUMENT_NAMES:
                url.callback = login_not_required(url.callback)
        return urls


api = Api(
    title="zongzhi",
    version="1",
    description="综治中心平台接口",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/care/", care_router, tags=["特殊人群"])
api.add_router("/analytics/", "zongzhi.analytics.api.router", tags=["统计分析"])
