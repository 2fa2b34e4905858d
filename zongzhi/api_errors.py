"""The API's one error shape, for every router and every failure:

    {"code": "invalid", "message": "请填写事项标题", "message_en": "...", "field": "title",
     "errors": [{"field": "title", "message": "请填写事项标题"}]}

`code` is stable for programs; `message` is the Chinese a person reads (the services' own
words); `message_en` is the English; `field` names the first offending parameter and
`errors` lists them all. The services raise Django's exceptions and `Refused`; the
handlers here turn each into this shape, so no endpoint formats an error by hand.
"""

import logging
import re
import sys
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError

from zongzhi.core.errors import KeyReused, RateLimited, Refused

logger = logging.getLogger("zongzhi.api")


class FieldError(Schema):
    field: str | None = Field(None, description="出错的字段或参数名")
    message: str = Field(description="中文说明")


class ApiError(Schema):
    code: str = Field(description="错误代码，如 invalid、not_found、forbidden")
    message: str = Field(description="中文说明")
    message_en: str = Field(description="English message")
    field: str | None = Field(None, description="第一个出错的字段或参数名")
    errors: list[FieldError] = Field(default_factory=list, description="全部出错的字段")
    request_id: str | None = Field(
        None, description="仅服务器错误（500、503）：本次请求的编号，报告问题时请附上"
    )


# The English for each code; the Chinese comes from the service that refused.
ENGLISH = {
    "invalid": "The request has invalid values; see field.",
    "invalid_input": "The request does not match the schema; see field.",
    "unauthenticated": "Authentication required: send 'Authorization: Bearer <key>'.",
    "forbidden": "You may not do this within your scope.",
    "not_found": "Not found, or outside your scope.",
    "refused": "This step cannot be taken in the case's present state.",
    "conflict": "This conflicts with the record's present state.",
    "rate_limited": "Too many requests; try again after Retry-After seconds.",
    "idempotency_conflict": "This idempotency key was already used with a different body.",
    "unavailable": "The service is briefly unavailable; try again after Retry-After seconds.",
    "server_error": "The server failed; report the request_id to the operators.",
    "too_large": "The request is too large; the message gives the limits for text and files.",
    "unreadable": "The request body cannot be parsed: send JSON (Content-Type: application/json).",
    "error": "The request failed.",
}
CHINESE = {
    "invalid_input": "请求的格式不正确",
    "unauthenticated": "请先登录或提供接口密钥",
    "forbidden": "您无权在此范围内进行该操作",
    "not_found": "没有找到，或您无权查阅",
    "rate_limited": "请求过于频繁，请稍后再试",
    "too_large": "提交的内容太大",
    "unreadable": "请求体无法解析：请发送 JSON（Content-Type: application/json）",
    "error": "请求失败",
    "unavailable": "服务暂时不可用（数据库无法连接），请稍后重试",
    "server_error": "服务器内部错误，已记录；报告问题时请附上 request_id",
}
# How long a caller is asked to wait when the database is out of reach: a restart takes
# seconds, and a client retrying at once would only add to the load.
UNAVAILABLE_RETRY_SECONDS = 30


def body(
    code: str,
    message: str = "",
    *,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "message": message or CHINESE.get(code, ""),
        "message_en": ENGLISH.get(code, ENGLISH["error"]),
        "field": field,
        "errors": errors or ([{"field": field, "message": message}] if field else []),
    }


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str = "", **kw: Any
) -> HttpResponse:
    return api.create_response(request, body(code, message, **kw), status=status)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


def request_id(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when it sent a sane one (so the operator finds the same id
    in the proxy's log), else a new one; kept on the request so every log line agrees."""
    known = getattr(request, "zongzhi_request_id", None)
    if isinstance(known, str):
        return known
    sent = request.headers.get("X-Request-ID", "")
    rid = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex[:16]
    request.zongzhi_request_id = rid  # type: ignore[attr-defined]
    return rid


def failure(request: HttpRequest, exc: BaseException | None) -> tuple[int, dict[str, Any]]:
    """A server-side failure as status and body: the database out of reach is 503 (to
    retry), anything else 500. Neither says more than the request id: the traceback goes to
    the log under that id, never to the caller."""
    rid = request_id(request)
    if isinstance(exc, OperationalError):
        logger.error("database unavailable request_id=%s: %s", rid, exc)
        return 503, {**body("unavailable"), "request_id": rid}
    logger.error("server error request_id=%s", rid, exc_info=exc)
    return 500, {**body("server_error"), "request_id": rid}


def _failure_response(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    status, data = failure(request, exc)
    response = api.create_response(request, data, status=status)
    return _marked(response, status, data["request_id"])


def _marked(response: HttpResponse, status: int, rid: str) -> HttpResponse:
    response["X-Request-ID"] = rid
    if status == 503:
        response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: what fails outside an API operation (a middleware, the session store)
    on an API or Open311 address is still answered in that interface's JSON shape; pages
    keep Django's own 500 page. Called while the exception is being handled."""
    exc = sys.exc_info()[1]
    if request.path.startswith("/api/"):
        status, data = failure(request, exc)
        response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
        return _marked(response, status, data["request_id"])
    if request.path.startswith("/open311/"):
        status, data = failure(request, exc)
        described = [{"code": status, "description": f"{data['message']}（{data['request_id']}）"}]
        response = JsonResponse(
            described, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
        return _marked(response, status, data["request_id"])
    if isinstance(exc, OperationalError):
        # A page: the ordinary error page, as 503 with Retry-After (worth retrying).
        page = defaults.server_error(request)
        page.status_code = 503
        page["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
        return page
    return defaults.server_error(request)


def _validation(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": None if name == "__all__" else name, "message": str(m)}
            for name, messages in exc.message_dict.items()
            for m in messages
        ]
    else:
        errors = [{"field": None, "message": str(m)} for m in exc.messages]
    first: dict[str, Any] = errors[0] if errors else {"field": None, "message": ""}
    return api.create_response(
        request,
        body("invalid", first["message"], field=first["field"], errors=errors),
        status=400,
    )


def _input(api: NinjaAPI, request: HttpRequest, exc: InputError) -> HttpResponse:
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in {"body", "query", "path", "form"}]
        field = ".".join(p for p in loc if p not in {"payload", "filters"}) or None
        errors.append({"field": field, "message": f"格式不正确：{e.get('msg', '')}"})
    first: dict[str, Any] = (
        errors[0] if errors else {"field": None, "message": CHINESE["invalid_input"]}
    )
    return api.create_response(
        request,
        body("invalid_input", first["message"], field=first["field"], errors=errors),
        status=422,
    )


def install(api: NinjaAPI) -> None:
    """Route every failure through `body`."""

    @api.exception_handler(ValidationError)
    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return _validation(api, request, exc)

    @api.exception_handler(InputError)
    def bad_input(request: HttpRequest, exc: InputError) -> HttpResponse:
        return _input(api, request, exc)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, 401, "unauthenticated")

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", str(exc) or CHINESE["forbidden"])

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, "not_found", str(exc) or CHINESE["not_found"])

    @api.exception_handler(Refused)
    def refused(request: HttpRequest, exc: Refused) -> HttpResponse:
        return error_response(api, request, 409, "refused", str(exc))

    @api.exception_handler(KeyReused)
    def key_reused(request: HttpRequest, exc: KeyReused) -> HttpResponse:
        # The key as the caller sent it, without api_common's per-caller namespace.
        key = re.sub(r"^api:\d+:", "", exc.key)
        message = f"幂等键 {key} 已用于另一份不同的请求内容；新的请求请换一个幂等键"
        return error_response(
            api, request, 409, "idempotency_conflict", message, field="idempotency_key"
        )

    @api.exception_handler(RateLimited)
    def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = error_response(api, request, 429, "rate_limited", str(exc))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(Exception)
    def unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Replaces ninja's default, which shows the traceback to the caller under DEBUG and
        # leaves Django's HTML page otherwise.
        return _failure_response(api, request, exc)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
            # ninja's words for a body that is not JSON: say it in ours.
            return error_response(api, request, 400, "unreadable")
        code = {
            401: "unauthenticated",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            429: "rate_limited",
        }.get(exc.status_code, "error")
        return error_response(api, request, exc.status_code, code, str(exc.message))
