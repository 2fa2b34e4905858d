"""The REST API (django-ninja): one NinjaAPI, a router per domain, the OpenAPI document at
/api/openapi.json and its reader at /api/docs. A caller signs in with an API key
(`Authorization: Bearer zz_…`, zongzhi.accounts.tokens), acting as the key's user with
that user's roles and scope, or with the session of a signed-in person. Every error has
one shape (zongzhi.api_errors).

The site's LoginRequiredMiddleware would answer an anonymous API call with a redirect to
the login page; the API's operations are exempt from it and answer 401 in JSON instead
(every operation still requires authentication through `auth`). The OpenAPI document and
its reader stay behind the login."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from zongzhi import api_errors
from zongzhi.accounts.models import User
from zongzhi.accounts.tokens import user_for_key
from zongzhi.care.api import router as care_router

_DOCUMENT_NAMES = {"openapi-json", "openapi-view"}


class Api(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern) and url.name not in _DOCUMENT_NAMES:
                url.callback = login_not_required(url.callback)
        return urls


class ApiKey(HttpBearer):
    """`Authorization: Bearer <key>`: the key's user becomes the request's user."""

    openapi_description = "接口密钥（在“接口密钥”页面或用 manage.py open311_key 创建）"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_key(token)
        if user is not None:
            request.user = user
        return user


api = Api(
    title="zongzhi",
    version="1",
    description="综治中心平台接口。用接口密钥（Authorization: Bearer zz_…）或登录会话调用；"
    "错误统一为 {code, message, message_en, field, errors}。",
    auth=[ApiKey(), django_auth],
    urls_namespace="api",
)
api_errors.install(api)
api.add_router("/care/", care_router, tags=["特殊人群"])
api.add_router("/analytics/", "zongzhi.analytics.api.router", tags=["统计分析"])
