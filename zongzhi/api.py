"""The REST API (django-ninja): one NinjaAPI, a router per domain, the OpenAPI document at
/api/openapi.json and its reader at /api/docs. A caller signs in with an API key
(`Authorization: Bearer zz_…`, zongzhi.accounts.tokens), acting as the key's user with
that user's roles and scope, or with the session of a signed-in person. Every error has
one shape (zongzhi.api_errors).

The site's LoginRequiredMiddleware would answer an anonymous API call with a redirect to
the login page; the API's operations are exempt from it and answer 401 in JSON instead
(every operation still requires authentication through `auth`). The OpenAPI document and
its reader stay behind the login."""

import functools
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from zongzhi import api_errors
from zongzhi.accounts.models import User
from zongzhi.accounts.tokens import count_write, token_for_key
from zongzhi.care.api import router as care_router

_DOCUMENT_NAMES = {"openapi-json", "openapi-view"}
_READS = {"GET", "HEAD", "OPTIONS"}


class Api(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """As ninja's, and every write declares 429 (the API key's write limit) in the
        one error shape, as its 422 is declared."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                declared = operation.get("responses", {})
                if method.upper() not in _READS and 422 in declared:
                    declared.setdefault(
                        429,
                        {
                            **declared[422],
                            "description": "该接口密钥本分钟的提交次数已用完（见 Retry-After）",
                        },
                    )
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern) and url.name not in _DOCUMENT_NAMES:
                url.callback = login_not_required(_refuse_unsafe_text(self, url.callback))
        return urls


_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def _refuse_unsafe_text(api: NinjaAPI, view: Callable[..., HttpResponse]) -> Callable[..., Any]:
    """A NUL character or a lone surrogate in the path or a query parameter is refused as
    bad input (422) for every operation, before any query: PostgreSQL cannot take it, and
    it would otherwise be a server error. Bodies are checked by their schemas (api_common.Text)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bad: str | None = None
        if _UNSAFE.search(request.path):
            bad = "path"
        for name, values in request.GET.lists():
            if _UNSAFE.search(name) or any(_UNSAFE.search(v) for v in values):
                bad = name
                break
        if bad is not None:
            message = "不能含有空字符或无效的Unicode字符"
            return api_errors.error_response(
                api,
                request,
                422,
                "invalid_input",
                message,
                field=None if bad == "path" else bad,
                errors=[{"field": None if bad == "path" else bad, "message": message}],
            )
        return view(request, *args, **kwargs)

    return guarded


class ApiKey(HttpBearer):
    """`Authorization: Bearer <key>`: the key's user becomes the request's user."""

    openapi_description = "接口密钥（在“接口密钥”页面或用 manage.py open311_key 创建）"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        record = token_for_key(token)
        if record is None:
            return None
        if request.method not in _READS:
            count_write(record)  # RateLimited: 429 with Retry-After (api_errors)
        request.user = record.user
        return record.user


class ReadableJSON(JSONRenderer):
    """Chinese as Chinese, not \\u escapes: a person reading a response (or a log) reads it."""

    json_dumps_params = {"ensure_ascii": False}


api = Api(
    title="zongzhi",
    version="1",
    description="综治中心平台接口。用接口密钥（Authorization: Bearer zz_…）或登录会话调用；"
    "错误统一为 {code, message, message_en, field, errors}。",
    auth=[ApiKey(), django_auth],
    renderer=ReadableJSON(),
    urls_namespace="api",
)
api_errors.install(api)
# Before the cases router: its "/{code}" would otherwise take "/suggest".
api.add_router("/cases/", "zongzhi.intake.api.router", tags=["事项"])
api.add_router("/cases/", "zongzhi.cases.api.router", tags=["事项"])
api.add_router("/hazards/", "zongzhi.hazards.api.router", tags=["风险隐患"])
api.add_router("/screening/", "zongzhi.screening.api.router", tags=["排查"])
api.add_router("/reference/", "zongzhi.regions.api.router", tags=["基础数据"])
api.add_router("/reference/", "zongzhi.cases.api.vocabulary", tags=["基础数据"])
api.add_router("/care/", care_router, tags=["特殊人群"])
api.add_router("/analytics/", "zongzhi.analytics.api.router", tags=["统计分析"])
